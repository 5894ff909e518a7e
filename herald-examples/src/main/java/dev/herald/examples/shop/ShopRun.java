package dev.herald.examples.shop;

import dev.herald.Event;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which run of the shop an event belongs to, carried in every event's correlation id as {@code
 * <run>/<orderId>} (and inherited by every effect through {@link Event#causedBy}). A run id names
 * its scenario, {@code s<seed>-n<orders>}, plus a suffix when runs of one scenario must be told
 * apart (several runs over one Kafka cluster). Services that run in other processes learn from it
 * which scenario an event comes from, so they need no options of their own; the order service
 * ignores events of runs other than its own.
 *
 * @param id the run id
 * @param seed the scenario's seed
 * @param orders the scenario's number of orders
 */
record ShopRun(String id, long seed, int orders) {
  /** Scenarios by run id: a service process may serve several runs over its life. */
  private static final Map<String, ShopScenario> SCENARIOS = new ConcurrentHashMap<>();

  /** The run of a scenario; {@code suffix} tells runs of one scenario apart, or is null. */
  static ShopRun of(long seed, int orders, String suffix) {
    String id = "s" + seed + "-n" + orders + (suffix == null ? "" : "-" + suffix);
    return new ShopRun(id, seed, orders);
  }

  /** The run an event of the shop belongs to, or null if its correlation id names none. */
  static ShopRun of(Event<?> event) {
    String c = event.correlationId();
    int slash = c == null ? -1 : c.indexOf('/');
    if (slash < 0 || c.charAt(0) != 's') {
      return null;
    }
    String id = c.substring(0, slash);
    int n = id.indexOf("-n");
    if (n < 0) {
      return null;
    }
    int end = id.indexOf('-', n + 2);
    try {
      long seed = Long.parseLong(id.substring(1, n));
      int orders = Integer.parseInt(id.substring(n + 2, end < 0 ? id.length() : end));
      return orders > 0 ? new ShopRun(id, seed, orders) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The run of a shop event.
   *
   * @throws IllegalArgumentException if it names none: the handler fails and the event is
   *     dead-lettered, in plain sight
   */
  static ShopRun require(Event<?> event) {
    ShopRun run = of(event);
    if (run == null) {
      throw new IllegalArgumentException(
          "event "
              + event.id()
              + " names no shop run in its correlation id "
              + event.correlationId());
    }
    return run;
  }

  /** The correlation id of an order of this run. */
  String correlationId(String orderId) {
    return id + "/" + orderId;
  }

  /** The id of the order {@code event} belongs to, if it belongs to this run; else null. */
  String orderId(Event<?> event) {
    return owns(event) ? event.correlationId().substring(id.length() + 1) : null;
  }

  /** Whether {@code event} belongs to this run. */
  boolean owns(Event<?> event) {
    String c = event.correlationId();
    return c != null
        && c.length() > id.length()
        && c.startsWith(id)
        && c.charAt(id.length()) == '/';
  }

  /** This run's scenario, generated once per process. */
  ShopScenario scenario() {
    return SCENARIOS.computeIfAbsent(
        "s" + seed + "-n" + orders, k -> ShopScenario.generate(orders, seed));
  }
}
