package dev.herald.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.Event;
import dev.herald.server.GatewayStore;
import dev.herald.server.Principal;
import dev.herald.server.StoreBusyException;
import dev.herald.server.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks: {@code POST /v1/subscriptions} makes a subscription that pushes the events of a type
 * pattern to a URL (CloudEvents HTTP binary mode, {@link WebhookDelivery}), after the CloudEvents
 * abuse-protection handshake ({@link WebhookHandshake}); {@code GET /v1/subscriptions[/{id}]} lists
 * them with their state and counters; {@code DELETE /v1/subscriptions/{id}} ends one.
 *
 * <p>Rights: making one needs {@code maySubscribe(types)} (and {@code mayAdminister()} for a
 * pattern naming Herald's own types, {@code herald.*}), and {@code mayJoinGroup(group)} when the
 * request names a group (the default one, {@code webhook-<id>}, is the subscription's own); the
 * list needs {@code mayAdminister()}; one subscription may be read or deleted by an administrator
 * or by the principal (by name) that made it.
 *
 * <p>Durability: each subscription is a durable subscription on the store's bus in its consumer
 * group, so delivery is at least once and resumes where the group stopped. Its definition is kept
 * in the store itself ({@link WebhookRecord}) and read back when a gateway over the same store
 * starts; a gateway learns of subscriptions made through another one at its next start.
 *
 * <p>Threads: requests on the HTTP library's threads; making and deleting are serialised on {@link
 * #lock}; each subscription's deliveries on its own thread ({@link Webhook}).
 */
final class WebhookApi implements Gateway.Api {
  /** Live subscriptions one gateway holds at most (each may hold a thread). */
  static final int MAX_SUBSCRIPTIONS = 256;

  /** The system property naming this gateway's origin in the handshake; else the host's name. */
  static final String ORIGIN_PROPERTY = "herald.webhook.origin";

  static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);
  static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.webhooks");
  private static final String ID_PATTERN = "[0-9a-f]{16}";

  private final Gateway gateway;
  private final WebhookClient client;
  private final WebhookTargets targets;
  private final String origin;
  private final SecureRandom random = new SecureRandom();
  private final Object lock = new Object();
  private final Map<String, Webhook> webhooks = new LinkedHashMap<>(); // guarded by lock
  // Every group a webhook of this store was made with, deleted ones included; guarded by lock.
  private final Set<String> webhookGroups = new HashSet<>();
  private final LongAdder subscribed = new LongAdder();

  WebhookApi(Gateway gateway) {
    this.gateway = gateway;
    this.targets =
        gateway.access().required() && !gateway.allowPrivateWebhookTargets()
            ? WebhookTargets.publicOnly(WebhookTargets.SYSTEM)
            : WebhookTargets.any();
    this.client =
        new WebhookClient(targets, gateway.webhookTrustedCertificates(), gateway.webhookProxy());
    this.origin = origin();
    client.start();
    gateway.onClose(this::close);
    gateway.stats().gauge(GatewayStats.WEBHOOKS, subscribed::sum);
    try {
      restore();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The name this gateway gives as {@code WebHook-Request-Origin}. */
  String origin() {
    String o = System.getProperty(ORIGIN_PROPERTY);
    if (o != null && !o.isBlank()) {
      return o.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** How many subscriptions this gateway holds, whatever their state. */
  int size() {
    synchronized (lock) {
      return webhooks.size();
    }
  }

  @Override
  public void routes(RoutesConfig routes) {
    routes.post("/v1/subscriptions", this::create);
    routes.get("/v1/subscriptions", this::list);
    routes.get("/v1/subscriptions/{id}", ctx -> json(ctx, owned(ctx).toJson()));
    routes.delete("/v1/subscriptions/{id}", this::delete);
  }

  private void create(Context ctx) throws InterruptedException {
    Principal p = Gateway.principal(ctx);
    WebhookDefinition d =
        WebhookDefinition.parseRequest(
            body(ctx), newId(), p.name(), Instant.ofEpochMilli(gateway.time().epochMillis()));
    if (!p.maySubscribe(d.types())) {
      throw refused(403, "you may not subscribe to " + d.types(), "types");
    }
    if (d.types().equals("herald") || d.types().startsWith("herald.")) {
      if (!p.mayAdminister()) {
        throw refused(403, "only an administrator may subscribe to Herald's own types", "types");
      }
    }
    if (!d.hasOwnGroup() && !p.mayJoinGroup(d.group())) {
      throw refused(403, "you may not join consumer group " + d.group(), "group");
    }
    Optional<String> target = targets.refusal(d.url());
    if (target.isPresent()) {
      throw refused(400, target.get(), "url");
    }
    synchronized (lock) {
      checkRoom(d);
    }
    Optional<String> refusal = WebhookHandshake.ask(client, d.url(), origin);
    if (refusal.isPresent()) {
      throw refused(400, "url: the target refused the webhook handshake: " + refusal.get(), "url");
    }
    Webhook w;
    synchronized (lock) {
      checkRoom(d);
      w = new Webhook(d, client, gateway.time(), subscribed, false, this::gone);
      try {
        w.start(gateway.store().bus());
      } catch (IllegalArgumentException e) {
        throw refused(409, "group: " + e.getMessage(), "group");
      }
      try {
        store(WebhookRecord.created(d));
      } catch (RuntimeException e) {
        w.stop();
        if (e instanceof ApiError a) {
          gateway.stats().count("webhooks.refused." + a.status);
        }
        throw e;
      }
      webhooks.put(d.id(), w);
      webhookGroups.add(d.group());
    }
    gateway.stats().count("webhooks.created");
    ctx.status(201).header("Location", "/v1/subscriptions/" + d.id());
    json(ctx, w.toJson());
  }

  /**
   * Refuses a subscription over the limit, or in a group that another live subscription of ours
   * uses, or that a consumer other than a webhook already keeps in the store (a webhook would take
   * its events away from it). Under {@link #lock}.
   */
  private void checkRoom(WebhookDefinition d) {
    if (webhooks.size() >= MAX_SUBSCRIPTIONS) {
      throw refused(
          409,
          "this gateway holds "
              + webhooks.size()
              + " subscriptions, the most it takes; delete one first (gone ones included)",
          null);
    }
    for (Webhook w : webhooks.values()) {
      if (w.state().equals("active") && w.def.group().equals(d.group())) {
        throw refused(
            409, "group: subscription " + w.def.id() + " already uses group " + d.group(), "group");
      }
    }
    if (!webhookGroups.contains(d.group()) && storedGroups().contains(d.group())) {
      throw refused(
          409,
          "group: "
              + d.group()
              + " is a consumer group of the store that no webhook made; a webhook would take its"
              + " events away from its consumers",
          "group");
    }
  }

  private Set<String> storedGroups() {
    Set<String> names = new HashSet<>();
    try {
      for (GatewayStore.GroupLag g : gateway.store().groups()) {
        names.add(g.group());
      }
    } catch (UnsupportedOperationException e) {
      // A store that cannot list its groups: nothing to protect them from here.
    }
    return names;
  }

  private void list(Context ctx) {
    if (!Gateway.principal(ctx).mayAdminister()) {
      throw refused(403, "listing subscriptions needs administrator rights", null);
    }
    ArrayNode all = Json.MAPPER.createArrayNode();
    List<Webhook> snapshot;
    synchronized (lock) {
      snapshot = new ArrayList<>(webhooks.values());
    }
    for (Webhook w : snapshot) {
      all.add(w.toJson());
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.set("subscriptions", all);
    json(ctx, out);
  }

  private void delete(Context ctx) {
    Webhook w = owned(ctx);
    synchronized (lock) {
      if (webhooks.get(w.def.id()) != w) {
        throw new ApiError(404, "no subscription " + w.def.id());
      }
      store(
          WebhookRecord.ended(
              WebhookRecord.Action.DELETED,
              w.def.id(),
              Instant.ofEpochMilli(gateway.time().epochMillis())));
      webhooks.remove(w.def.id());
    }
    w.stop();
    gateway.stats().count("webhooks.deleted");
    ctx.status(204);
  }

  /**
   * The subscription the path names, if the principal may see it: an administrator, or the
   * principal that made it. 403 for anyone else (whether or not it exists), 404 for an
   * administrator when there is none.
   */
  private Webhook owned(Context ctx) {
    String id = ctx.pathParam("id");
    Webhook w = null;
    if (id.matches(ID_PATTERN)) {
      synchronized (lock) {
        w = webhooks.get(id);
      }
    }
    Principal p = Gateway.principal(ctx);
    // Someone else's and no such one look the same to a principal that is not an administrator.
    if (!p.mayAdminister() && (w == null || !p.name().equals(w.def.owner()))) {
      throw refused(
          403, "subscription " + WebhookDefinition.abbreviate(id, 64) + " is not yours", null);
    }
    if (w == null) {
      throw new ApiError(404, "no subscription " + WebhookDefinition.abbreviate(id, 64));
    }
    return w;
  }

  /**
   * The target answered 410: remember it in the store, waiting (on the subscription's own thread)
   * until it is stored, so that a subscription listed as gone is gone after a restart too.
   */
  private void gone(Webhook w) {
    gateway.stats().count("webhooks.gone");
    Event<?> record =
        WebhookRecord.ended(
            WebhookRecord.Action.GONE,
            w.def.id(),
            Instant.ofEpochMilli(gateway.time().epochMillis()));
    try {
      store(record);
    } catch (RuntimeException e) {
      // Not fatal: after a restart the target answers 410 again and is marked gone then.
      LOG.warn("webhook {}: storing that it is gone failed", w.def.id(), e);
    }
  }

  private JsonNode body(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type != null && !EventJson.isJson(type)) {
      throw refused(415, "the body must be application/json, was " + abbreviate(type), null);
    }
    try {
      JsonNode n = Json.MAPPER.readTree(ctx.bodyAsBytes());
      if (n == null || n.isMissingNode()) {
        throw ApiError.badRequest(null, "the body must be a JSON object {types, url, ...}");
      }
      return n;
    } catch (IOException e) {
      throw ApiError.badRequest(null, "the body is not JSON: " + abbreviate(e.getMessage()));
    }
  }

  private static void json(Context ctx, JsonNode n) {
    ctx.contentType("application/json").result(Json.write(n));
  }

  private static String abbreviate(String s) {
    return s == null ? "" : WebhookDefinition.abbreviate(s.lines().findFirst().orElse(""), 200);
  }

  private ApiError refused(int status, String detail, String attribute) {
    gateway.stats().count("webhooks.refused." + status);
    return new ApiError(status, detail, attribute);
  }

  private String newId() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    StringBuilder sb = new StringBuilder(16);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  /**
   * Appends a record and waits for it to be stored.
   *
   * @throws ApiError 429 when the store pushes back, 503 when it cannot store
   */
  private String store(Event<?> record) {
    try {
      return gateway.store().append(record).get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "interrupted while storing the subscription");
    } catch (TimeoutException e) {
      throw new ApiError(503, "the store did not store the subscription within " + STORE_TIMEOUT);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
      if (c instanceof StoreBusyException) {
        throw new ApiError(429, "the store is busy: " + c.getMessage());
      }
      if (c instanceof StoreUnavailableException) {
        throw new ApiError(503, c.getMessage());
      }
      throw new IllegalStateException("storing a webhook record failed", c);
    }
  }

  /**
   * Reads every {@code herald.webhook} record back, up to a {@code started} record appended now (so
   * all that were stored before are seen), and subscribes the live ones.
   */
  private void restore() {
    GatewayStore store = gateway.store();
    GatewayStore.Cursor cursor;
    try {
      cursor = store.cursor("earliest");
    } catch (UnsupportedOperationException e) {
      LOG.warn(
          "the {} store cannot be read back: webhook subscriptions not restored", store.name());
      return;
    }
    Map<String, WebhookDefinition> live = new LinkedHashMap<>();
    Set<String> gone = new HashSet<>();
    Set<String> groups = new HashSet<>();
    try (cursor) {
      Event<?> marker = WebhookRecord.started(Instant.ofEpochMilli(gateway.time().epochMillis()));
      try {
        store(marker);
      } catch (ApiError e) {
        throw new IllegalStateException("cannot restore webhook subscriptions: " + e.getMessage());
      }
      long deadline = gateway.time().nanoTime() + RESTORE_TIMEOUT.toNanos();
      for (; ; ) {
        Optional<GatewayStore.StoredEvent> next = cursor.next(Duration.ofMillis(200));
        if (next.isEmpty()) {
          if (gateway.time().nanoTime() - deadline > 0) {
            throw new IllegalStateException(
                "cannot restore webhook subscriptions: the store did not give back, within "
                    + RESTORE_TIMEOUT
                    + ", the record it stored at start");
          }
          continue;
        }
        Event<?> e = next.get().event();
        if (e.id().equals(marker.id())) {
          break;
        }
        apply(next.get(), live, gone, groups);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restoring webhook subscriptions", e);
    }
    synchronized (lock) {
      webhookGroups.addAll(groups);
      for (WebhookDefinition d : live.values()) {
        boolean wasGone = gone.contains(d.id());
        Webhook w = new Webhook(d, client, gateway.time(), subscribed, wasGone, this::gone);
        if (!wasGone) {
          try {
            w.start(store.bus());
          } catch (RuntimeException x) {
            w.failed("could not subscribe at start: " + x.getMessage());
            LOG.error("webhook {} not restored", d.id(), x);
          }
        }
        webhooks.put(d.id(), w);
      }
    }
    if (LOG.isInfoEnabled()) {
      LOG.info(
          "restored {} webhook subscription(s) from the {} store, {} of them gone",
          live.size(),
          store.name(),
          gone.stream().filter(live::containsKey).count());
    }
  }

  private static void apply(
      GatewayStore.StoredEvent stored,
      Map<String, WebhookDefinition> live,
      Set<String> gone,
      Set<String> groups) {
    Optional<WebhookRecord.Parsed> parsed;
    try {
      parsed = WebhookRecord.parse(stored.event());
    } catch (RuntimeException x) {
      LOG.warn("skipping the unreadable {} record at {}", WebhookRecord.TYPE, stored.position(), x);
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    WebhookRecord.Parsed r = parsed.get();
    switch (r.action()) {
      case CREATED -> {
        live.put(r.id(), r.definition());
        groups.add(r.definition().group());
      }
      case GONE -> gone.add(r.id());
      case DELETED -> {
        live.remove(r.id());
        gone.remove(r.id());
      }
      case STARTED -> {}
    }
  }

  /**
   * Stops every subscription (the server is stopping), then the HTTP client and its threads; their
   * definitions stay stored.
   */
  void close() {
    List<Webhook> all;
    synchronized (lock) {
      all = new ArrayList<>(webhooks.values());
      webhooks.clear();
    }
    stopSideBySide(all);
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("stopping the webhook HTTP client failed", e);
    }
  }

  /**
   * Stops every webhook, each on a thread of its own, and waits for all. A stop waits for its
   * subscription's feed to close; on Kafka with the brokers gone that is up to the transport's
   * close timeout for each of the consumer's steps, so one after another, a few webhooks held the
   * server's stop past the bus's drain bound (four took 43 s); side by side they take one such
   * wait. A thread each is at most {@value #MAX_SUBSCRIPTIONS} threads, for the moment of a stop.
   */
  private static void stopSideBySide(List<Webhook> all) {
    if (all.size() == 1) {
      stopLogged(all.get(0));
      return;
    }
    List<Thread> stopping = new ArrayList<>(all.size());
    for (Webhook w : all) {
      Thread t = new Thread(() -> stopLogged(w), "herald-webhook-stop-" + w.def.id());
      t.setDaemon(true);
      t.start();
      stopping.add(t);
    }
    boolean interrupted = false;
    for (Thread t : stopping) {
      // Each stop is bounded by its feed's close; waited for in full, so that the store is never
      // closed under a webhook still stopping.
      for (; ; ) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopLogged(Webhook w) {
    try {
      w.stop();
    } catch (RuntimeException e) {
      LOG.warn("webhook {}: stopping its subscription failed", w.def.id(), e);
    }
  }
}
