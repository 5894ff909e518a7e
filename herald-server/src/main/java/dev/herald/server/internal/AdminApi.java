package dev.herald.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.BusClosedException;
import dev.herald.server.GatewayJson;
import dev.herald.server.GatewayStore;
import dev.herald.server.GatewayStore.GroupLag;
import dev.herald.server.GatewayStore.PartitionLag;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import dev.herald.server.StoreBusyException;
import dev.herald.server.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin endpoints, all for principals that {@code mayAdminister()}: consumer groups and their
 * lag ({@code GET /v1/groups}), the dead-letter browser ({@code GET /v1/deadletters?group=}, {@code
 * GET /v1/deadletters/{position}}), redrive ({@code POST /v1/deadletters/{position}/redrive}, and
 * of a group's all, {@code POST /v1/deadletters/redrive?group=}) and the counters ({@code GET
 * /v1/stats}); and the health endpoints, which need no token ({@link HealthApi}). Stateless; runs
 * on the HTTP library's request threads, which wait for a redrive to be stored.
 */
final class AdminApi implements Gateway.Api {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final int MAX_GROUP_LENGTH = 200;

  /** The longest a request waits for one redrive (event and mark) to be stored. */
  static final long REDRIVE_TIMEOUT_SECONDS = 30;

  private final Gateway gateway;
  private final HealthApi health;

  AdminApi(Gateway gateway) {
    this.gateway = gateway;
    this.health = new HealthApi(gateway);
  }

  @Override
  public void routes(RoutesConfig routes) {
    routes.get("/v1/groups", this::groups);
    routes.get("/v1/deadletters", this::deadLetters);
    routes.post("/v1/deadletters/redrive", this::redriveAll);
    routes.get("/v1/deadletters/{position}", this::deadLetter);
    routes.post("/v1/deadletters/{position}/redrive", this::redriveOne);
    routes.get("/v1/stats", this::stats);
    health.routes(routes);
  }

  private static void requireAdmin(Context ctx) {
    if (!Gateway.principal(ctx).mayAdminister()) {
      throw new ApiError(403, "this token may not use the admin endpoints");
    }
  }

  private void groups(Context ctx) {
    requireAdmin(ctx);
    ArrayNode groups = Json.MAPPER.createArrayNode();
    for (GroupLag g : gateway.store().groups()) {
      ObjectNode n = groups.addObject();
      n.put("group", g.group());
      n.put("lag", g.lag());
      ArrayNode parts = n.putArray("partitions");
      for (PartitionLag p : g.partitions()) {
        parts
            .addObject()
            .put("partition", p.partition())
            .put("committed", p.committed())
            .put("end", p.end())
            .put("lag", p.lag());
      }
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("groups", groups);
    json(ctx, 200, body);
  }

  private void deadLetters(Context ctx) {
    requireAdmin(ctx);
    String group = group(ctx, false);
    int limit = limit(ctx);
    ArrayNode list = Json.MAPPER.createArrayNode();
    for (StoredDeadLetter dl : unavailableAs503(() -> gateway.store().deadLetters(group, limit))) {
      list.add(GatewayJson.deadLetter(dl));
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("deadLetters", list);
    json(ctx, 200, body);
  }

  private void deadLetter(Context ctx) {
    requireAdmin(ctx);
    json(ctx, 200, GatewayJson.deadLetter(find(ctx)));
  }

  private void redriveOne(Context ctx) {
    requireAdmin(ctx);
    requireNoBody(ctx);
    StoredDeadLetter dl = find(ctx);
    try {
      await(gateway.store().redrive(dl));
    } catch (ApiError e) {
      if (e.status == 429) {
        ctx.header("Retry-After", "1");
      }
      throw e;
    }
    gateway.stats().count("admin.redriven");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("redriven", 1);
    json(ctx, 202, body);
  }

  private void redriveAll(Context ctx) {
    requireAdmin(ctx);
    requireNoBody(ctx);
    String group = group(ctx, true);
    AdminRedriveAll.Outcome o = new AdminRedriveAll(gateway.store(), group).run();
    gateway.stats().add("admin.redriven", o.redriven());
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("redriven", o.redriven());
    if (o.failed() > 0) {
      body.put("failed", o.failed());
      body.put("detail", o.firstFailure());
    }
    // Those the run saw dead-lettered again, not all that stay listed: a redriven event the
    // subscription still retries is dead-lettered after the answer. "left" is its former name.
    body.put("deadLetteredAgain", o.deadLetteredAgain());
    if (o.deadLetteredAgain() > 0) {
      body.put("left", o.deadLetteredAgain());
    }
    json(ctx, 202, body);
  }

  private void stats(Context ctx) {
    requireAdmin(ctx);
    GatewayStore store = gateway.store();
    GatewayStats stats = gateway.stats();
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("store", store.name());
    body.put("time", Instant.ofEpochMilli(gateway.time().epochMillis()).toString());
    body.set("bus", Json.MAPPER.valueToTree(store.bus().stats()));
    body.set("gateway", Json.MAPPER.valueToTree(stats.counters()));
    body.set("storedByType", Json.MAPPER.valueToTree(stats.storedByType()));
    body.set("readByType", Json.MAPPER.valueToTree(stats.readByType()));
    body.put("streams", stats.gauge(GatewayStats.STREAMS));
    body.put("webhooks", stats.gauge(GatewayStats.WEBHOOKS));
    json(ctx, 200, body);
  }

  /** The unresolved dead letter the path names; 400 if malformed, 404 if there is none. */
  private StoredDeadLetter find(Context ctx) {
    String position = ctx.pathParam("position");
    Optional<StoredDeadLetter> dl;
    try {
      dl = unavailableAs503(() -> gateway.store().deadLetter(position));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("position", e.getMessage());
    }
    return dl.orElseThrow(
        () -> new ApiError(404, "no unresolved dead letter at position " + position));
  }

  /** The redrive endpoints take no body: one with a content type is a mistake, answered 415. */
  private static void requireNoBody(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type != null && !type.isBlank()) {
      throw new ApiError(415, "this endpoint takes no body; send none, without a Content-Type");
    }
  }

  private static String group(Context ctx, boolean required) {
    String group = QueryParameters.first(ctx, "group");
    if (group == null || group.isEmpty()) {
      if (required) {
        throw ApiError.badRequest("group", "group: the consumer group is required");
      }
      return null;
    }
    if (group.length() > MAX_GROUP_LENGTH
        || group.isBlank()
        || !group.equals(group.strip())
        || group.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.badRequest(
          "group",
          "group: must be 1 to "
              + MAX_GROUP_LENGTH
              + " characters, no control characters, no leading or trailing white space");
    }
    return group;
  }

  private static int limit(Context ctx) {
    String s = QueryParameters.first(ctx, "limit");
    if (s == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = s.length() > 9 ? -1 : Integer.parseInt(s);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below, with the rule
    }
    throw ApiError.badRequest("limit", "limit: must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** Waits for a store's future and answers its failure as the API's status. */
  static void await(CompletableFuture<?> f) {
    try {
      f.get(REDRIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "interrupted while waiting for the store");
    } catch (TimeoutException e) {
      throw new ApiError(
          503, "the store did not confirm within " + REDRIVE_TIMEOUT_SECONDS + " s; try again");
    } catch (ExecutionException e) {
      throw asApiError(e.getCause());
    }
  }

  /** The status a store's failure is answered with. */
  static ApiError asApiError(Throwable t) {
    if (t instanceof IllegalStateException) {
      return new ApiError(409, t.getMessage());
    }
    if (t instanceof StoreBusyException) {
      return new ApiError(429, t.getMessage());
    }
    if (t instanceof StoreUnavailableException || t instanceof BusClosedException) {
      return new ApiError(503, t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return new ApiError(400, t.getMessage());
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw new IllegalStateException(t);
  }

  private static <T> T unavailableAs503(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (StoreUnavailableException e) {
      throw new ApiError(503, e.getMessage());
    }
  }

  static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
