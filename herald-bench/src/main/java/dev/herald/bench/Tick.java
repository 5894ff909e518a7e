package dev.herald.bench;

/**
 * The event every library carries in the benchmarks: which publisher sent it and when it was meant
 * to be sent. Immutable, so one instance may be published many times.
 */
public final class Tick {
  /** The event type the buses that name one publish ticks under. */
  static final String TYPE = "bench.tick";

  final int publisher;
  final long intendedNanos;

  public Tick(int publisher, long intendedNanos) {
    this.publisher = publisher;
    this.intendedNanos = intendedNanos;
  }

  /** The {@link System#nanoTime()} at which the publisher was scheduled to send this tick. */
  public long intendedNanos() {
    return intendedNanos;
  }
}
