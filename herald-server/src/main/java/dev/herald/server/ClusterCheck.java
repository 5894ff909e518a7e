package dev.herald.server;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the Kafka cluster answers, for readiness, without making the asker wait for a broker:
 * {@link #unavailable()} answers what the last check found, and starts the next one in the
 * background (the admin client's thread) when that is older than {@value #EVERY_MILLIS} ms. A check
 * is a describe-cluster request given {@value #TIMEOUT_MILLIS} ms; one is under way at a time. So a
 * broker that went away is seen within about {@code EVERY + TIMEOUT} ms of the first asking after
 * it, and one back as soon. The producer's own view (its buffered records waiting for a broker) is
 * not public, and a publish that fails says so only after its 30 s. Thread-safe.
 */
final class ClusterCheck {
  static final long EVERY_MILLIS = 2_000;
  static final int TIMEOUT_MILLIS = 2_000;

  private final Admin admin;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile long checkedAt = System.nanoTime(); // the transport checked it as it started
  private volatile Optional<String> unavailable = Optional.empty();

  ClusterCheck(Admin admin) {
    this.admin = admin;
  }

  /** Why the cluster did not answer the last check, or empty when it did. Never blocks. */
  Optional<String> unavailable() {
    if (System.nanoTime() - checkedAt > EVERY_MILLIS * 1_000_000
        && checking.compareAndSet(false, true)) {
      check();
    }
    return unavailable;
  }

  private void check() {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MILLIS))
          .nodes()
          .whenComplete((nodes, failure) -> done(failure));
    } catch (RuntimeException e) { // the admin client is closed
      done(e);
    }
  }

  private void done(Throwable failure) {
    unavailable =
        failure == null
            ? Optional.empty()
            : Optional.of(
                "Kafka did not answer within "
                    + TIMEOUT_MILLIS
                    + " ms: "
                    + (failure.getMessage() == null
                        ? failure.getClass().getSimpleName()
                        : failure.getMessage()));
    checkedAt = System.nanoTime();
    checking.set(false);
  }
}
