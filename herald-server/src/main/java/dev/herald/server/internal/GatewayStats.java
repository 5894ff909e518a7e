package dev.herald.server.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The gateway's own counters, served by {@code GET /v1/stats} beside the bus's: what each endpoint
 * accepted and refused, and why. Counters are named by the endpoint that counts them ({@code
 * "publish.stored"}, {@code "publish.refused.413"}, ...); events stored are also counted per type
 * ({@link #storedType}), for the dashboard's throughput chart. Safe for use from any thread.
 */
final class GatewayStats {
  /** The gauge of open SSE streams. */
  static final String STREAMS = "streams";

  /**
   * The counter of SSE streams the server closed because the client fell too far behind: its
   * bounded buffer was full (a stream of the tail), or stayed full (a group's stream).
   */
  static final String STREAM_CUT_OFF = "stream.cutOff";

  /** The gauge of webhook subscriptions held, whatever their state. */
  static final String WEBHOOKS = "webhooks";

  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> storedByType = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> readByType = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongSupplier> gauges = new ConcurrentHashMap<>();

  void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  void add(String name, long n) {
    counters.computeIfAbsent(name, k -> new LongAdder()).add(n);
  }

  /** Counts one event of {@code type} stored through the gateway. */
  void storedType(String type) {
    storedByType.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  /**
   * Reports what {@code value} says as the gauge {@code name}; {@code GET /v1/stats} serves {@value
   * #STREAMS} (open SSE streams) and {@value #WEBHOOKS} (webhook subscriptions held). The last
   * registration of a name wins; {@code value} is called on request threads and must not block.
   */
  void gauge(String name, LongSupplier value) {
    gauges.put(name, value);
  }

  /** The gauge {@code name} now, 0 when nothing reports it. */
  long gauge(String name) {
    LongSupplier g = gauges.get(name);
    return g == null ? 0 : g.getAsLong();
  }

  Map<String, Long> counters() {
    return snapshot(counters);
  }

  /**
   * Counts one event of {@code type} read at the store's tail: every event stored since the server
   * started, by this gateway or any other process.
   */
  void readType(String type) {
    readByType.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  Map<String, Long> readByType() {
    return snapshot(readByType);
  }

  Map<String, Long> storedByType() {
    return snapshot(storedByType);
  }

  private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
