package dev.herald.spring.boot;

import dev.herald.BusStats;
import dev.herald.EventBus;
import dev.herald.SubscriptionStats;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The health of the bus and its transport, as the {@code herald} indicator:
 *
 * <ul>
 *   <li>DOWN once the bus is closed ({@link EventBus#isClosed}), by Spring with the context or by
 *       the application itself;
 *   <li>DOWN while a durable subscription's feed has failed for good (the log found corrupt, a
 *       broker that refused the consumer: {@link dev.herald.BusListener#onFeedFailed}); such a feed
 *       never recovers, the application must be restarted;
 *   <li>DOWN when stores failed since the previous check and none succeeded ({@link
 *       BusStats#storeFailed()} rose and {@link BusStats#stored()} did not): the transport refuses
 *       every event; UP again once a store succeeds;
 *   <li>UP otherwise.
 * </ul>
 *
 * <p>Details: {@code transport}, {@code subscriptions} (live), {@code published}, {@code stored},
 * {@code storeFailed}, and {@code failedFeeds} when there are. Thread-safe.
 */
public class HeraldHealthIndicator implements HealthIndicator {
  private final EventBus bus;
  private final String transport;
  private final HeraldBusState state;
  private long lastStored; // guarded by this
  private long lastStoreFailed; // guarded by this

  HeraldHealthIndicator(EventBus bus, String transport, HeraldBusState state) {
    this.bus = bus;
    this.transport = transport;
    this.state = state;
  }

  @Override
  public Health health() {
    if (bus.isClosed()) {
      return Health.down().withDetail("transport", transport).withDetail("closed", true).build();
    }
    BusStats stats = bus.stats();
    boolean storesFailing;
    synchronized (this) {
      storesFailing = stats.storeFailed() > lastStoreFailed && stats.stored() == lastStored;
      lastStored = stats.stored();
      lastStoreFailed = stats.storeFailed();
    }
    // What the starter's listener heard (the auto-configured bus only; it keeps a feed that failed
    // and whose subscription was closed since), with each live subscription's own word on top (any
    // bus, the application's own too).
    Map<String, String> failedFeeds = new TreeMap<>(state.failedFeeds());
    for (SubscriptionStats s : stats.subscriptions()) {
      if (s.feedFailure() != null) {
        failedFeeds.put(s.name(), s.feedFailure());
      }
    }
    Health.Builder health = failedFeeds.isEmpty() && !storesFailing ? Health.up() : Health.down();
    health
        .withDetail("transport", transport)
        .withDetail("subscriptions", stats.subscriptions().size())
        .withDetail("published", stats.published())
        .withDetail("stored", stats.stored())
        .withDetail("storeFailed", stats.storeFailed());
    if (!failedFeeds.isEmpty()) {
      health.withDetail("failedFeeds", failedFeeds);
    }
    return health.build();
  }
}
