package dev.herald.server.internal;

import dev.herald.server.Principal;
import io.javalin.config.RoutesConfig;
import java.util.Optional;

/**
 * Runs before every endpoint: finds the request's {@link Principal} with the server's {@link
 * dev.herald.server.Access} and stores it for the endpoint ({@link Gateway#principal}); 401 with
 * {@code WWW-Authenticate: Bearer} when there is none. What each endpoint needs of the principal
 * (403) is the endpoint's to check.
 */
final class Authentication {
  private Authentication() {}

  static void routes(Gateway gateway, RoutesConfig routes) {
    routes.before(
        ctx -> {
          if (DashboardApi.isPublic(ctx.path())) {
            return; // the dashboard's static files: its data comes from endpoints that check
          }
          Optional<Principal> p = gateway.access().authenticate(ctx.header("Authorization"));
          if (p.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"herald\"");
            throw new ApiError(401, "a valid bearer token is required");
          }
          ctx.attribute(Gateway.PRINCIPAL, p.get());
        });
  }
}
