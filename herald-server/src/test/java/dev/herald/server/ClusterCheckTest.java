package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Readiness's view of the Kafka cluster on the clock it is given: a check starts only once the last
 * is older than {@link ClusterCheck#EVERY_MILLIS}, one at a time, and the answer of the last
 * finished check is what an asker gets, at once.
 */
class ClusterCheckTest {
  private final Clock clock = new Clock();
  private final List<CompletableFuture<Object>> checks = new ArrayList<>();
  private final ClusterCheck cluster =
      new ClusterCheck(
          () -> {
            CompletableFuture<Object> f = new CompletableFuture<>();
            checks.add(f);
            return (CompletionStage<?>) f;
          },
          clock);

  /** A clock that moves only when the test advances it. */
  private static final class Clock implements TimeSource {
    private volatile long nanos;

    void advance(Duration by) {
      nanos += by.toNanos();
    }

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public long epochMillis() {
      return nanos / 1_000_000;
    }
  }

  @Test
  void checksAgainOnlyOnceTheLastCheckIsOlderThanItsPeriodAndOneAtATime() {
    assertThat(cluster.unavailable()).as("checked as the transport started").isEmpty();
    clock.advance(Duration.ofMillis(ClusterCheck.EVERY_MILLIS));
    assertThat(cluster.unavailable()).isEmpty();
    assertThat(checks).as("not older than the period yet").isEmpty();

    clock.advance(Duration.ofMillis(1));
    assertThat(cluster.unavailable()).as("the last answer, at once").isEmpty();
    assertThat(cluster.unavailable()).isEmpty();
    assertThat(checks).as("one check under way at a time").hasSize(1);

    checks.get(0).completeExceptionally(new TimeoutException("no broker"));
    assertThat(cluster.unavailable())
        .hasValue("Kafka did not answer within " + ClusterCheck.TIMEOUT_MILLIS + " ms: no broker");
    assertThat(checks).as("the failed check just finished").hasSize(1);

    clock.advance(Duration.ofMillis(ClusterCheck.EVERY_MILLIS + 1));
    assertThat(cluster.unavailable()).as("still the last answer while checking").isPresent();
    assertThat(checks).hasSize(2);
    checks.get(1).complete("nodes");
    assertThat(cluster.unavailable()).as("the cluster answered").isEmpty();
  }

  @Test
  void aClosedAdminClientIsACheckThatFailed() {
    ClusterCheck closed =
        new ClusterCheck(
            () -> {
              throw new IllegalStateException("the admin client is closed");
            },
            clock);
    clock.advance(Duration.ofMillis(ClusterCheck.EVERY_MILLIS + 1));
    assertThat(closed.unavailable()).hasValueSatisfying(s -> s.endsWith("is closed"));
  }
}
