package dev.herald.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The health endpoints, for load balancers and orchestrators; they need no token:
 *
 * <ul>
 *   <li>{@code GET /v1/health/live}: 200 while the server answers at all ({@code {"status": "UP",
 *       "live": true}});
 *   <li>{@code GET /v1/health/ready}: 200 when the store can take events, else 503 with {@code
 *       "detail"} saying why ({@link dev.herald.server.GatewayStore#unavailable()});
 *   <li>{@code GET /v1/health}: both, {@code {"status": "UP"|"DOWN", "live", "ready", "store",
 *       "detail"?}}, 200 or 503.
 * </ul>
 *
 * Bodies are plain JSON, not problems, and never cached. Stateless; runs on request threads.
 */
final class HealthApi {
  private final Gateway gateway;

  HealthApi(Gateway gateway) {
    this.gateway = gateway;
  }

  void routes(RoutesConfig routes) {
    routes.get("/v1/health", ctx -> answer(ctx, true, true));
    routes.get("/v1/health/live", ctx -> answer(ctx, true, false));
    routes.get("/v1/health/ready", ctx -> answer(ctx, false, true));
  }

  private void answer(Context ctx, boolean live, boolean ready) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    Optional<String> unavailable = ready ? gateway.store().unavailable() : Optional.empty();
    body.put("status", unavailable.isEmpty() ? "UP" : "DOWN");
    if (live) {
      body.put("live", true);
    }
    if (ready) {
      body.put("ready", unavailable.isEmpty());
      body.put("store", gateway.store().name());
      unavailable.ifPresent(why -> body.put("detail", why));
    }
    ctx.header("Cache-Control", "no-store");
    AdminApi.json(ctx, unavailable.isEmpty() ? 200 : 503, body);
  }
}
