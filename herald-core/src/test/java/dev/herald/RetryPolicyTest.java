package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      RetryPolicy.exponential(5, Duration.ofMillis(10), Duration.ofMillis(50)).withJitter(0.5);

  @Test
  void delaysGrowExponentiallyUpToTheCap() {
    assertThat(policy.delayNanos(1, 0.0)).isEqualTo(10_000_000L);
    assertThat(policy.delayNanos(2, 0.0)).isEqualTo(20_000_000L);
    assertThat(policy.delayNanos(3, 0.0)).isEqualTo(40_000_000L);
    assertThat(policy.delayNanos(4, 0.0)).isEqualTo(50_000_000L);
    assertThat(policy.delayNanos(60, 0.0)).isEqualTo(50_000_000L);
  }

  @Test
  void jitterShortensTheDelayByAtMostItsFraction() {
    assertThat(policy.delayNanos(1, 0.999)).isBetween(5_000_000L, 5_010_000L);
    assertThat(policy.delayNanos(2, 0.5)).isEqualTo(15_000_000L);
  }

  @Test
  void retriesOnlyWhatItIsToldAndNeverPastMaxAttempts() {
    RetryPolicy p = policy.retryOn(IOException.class).abortOn(java.io.FileNotFoundException.class);
    assertThat(p.shouldRetry(new IOException(), 1)).isTrue();
    assertThat(p.shouldRetry(new java.io.FileNotFoundException(), 1)).isFalse();
    assertThat(p.shouldRetry(new UncheckedIOException(new IOException()), 1)).isFalse();
    assertThat(p.shouldRetry(new IOException(), 5)).isFalse();
    assertThat(RetryPolicy.none().shouldRetry(new IOException(), 1)).isFalse();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> RetryPolicy.exponential(0, Duration.ZERO, Duration.ZERO))
        .hasMessageStartingWith("maxAttempts");
    assertThatThrownBy(
            () -> RetryPolicy.exponential(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageStartingWith("maxDelay");
    assertThatThrownBy(() -> policy.withJitter(1.5)).hasMessageStartingWith("jitter");
    assertThatThrownBy(() -> policy.retryOn(String.class)).hasMessageContaining("not a Throwable");
  }
}
