package dev.herald.server;

import dev.herald.TimeSource;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the Kafka cluster answers, for readiness, without making the asker wait for a broker:
 * {@link #unavailable()} answers what the last check found, and starts the next one in the
 * background (the admin client's thread) when that is older than {@value #EVERY_MILLIS} ms. A check
 * is a describe-cluster request given {@value #TIMEOUT_MILLIS} ms; one is under way at a time. So a
 * broker that went away is seen within about {@code EVERY + TIMEOUT} ms of the first asking after
 * it, and one back as soon. The producer's own view (its buffered records waiting for a broker) is
 * not public, and a publish that fails says so only after its 30 s. Ages are read from the {@link
 * TimeSource} it is given. Thread-safe.
 */
final class ClusterCheck {
  static final long EVERY_MILLIS = 2_000;
  static final int TIMEOUT_MILLIS = 2_000;

  /** Starts one check: a describe-cluster request, completing when the cluster answered. */
  private final Supplier<CompletionStage<?>> describe;

  private final TimeSource time;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile long checkedAt; // the transport checked it as it started
  private volatile Optional<String> unavailable = Optional.empty();

  ClusterCheck(Admin admin, TimeSource time) {
    this(
        () ->
            admin
                .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MILLIS))
                .nodes()
                .toCompletionStage(),
        time);
  }

  /** Checks with {@code describe}, which a test may answer as it likes. */
  ClusterCheck(Supplier<CompletionStage<?>> describe, TimeSource time) {
    this.describe = describe;
    this.time = time;
    this.checkedAt = time.nanoTime();
  }

  /** Why the cluster did not answer the last check, or empty when it did. Never blocks. */
  Optional<String> unavailable() {
    if (time.nanoTime() - checkedAt > EVERY_MILLIS * 1_000_000
        && checking.compareAndSet(false, true)) {
      check();
    }
    return unavailable;
  }

  private void check() {
    try {
      describe.get().whenComplete((nodes, failure) -> done(failure));
    } catch (RuntimeException e) { // the admin client is closed
      done(e);
    }
  }

  private void done(Throwable failure) {
    if (failure instanceof CompletionException c && c.getCause() != null) {
      failure = c.getCause();
    }
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
    checkedAt = time.nanoTime();
    checking.set(false);
  }
}
