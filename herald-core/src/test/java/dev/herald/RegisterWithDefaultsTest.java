package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link EventBus#registerWithDefaults}: defaults for what the annotation cannot set. */
class RegisterWithDefaultsTest {
  static class Flaky {
    final AtomicInteger attempts = new AtomicInteger();

    @Subscribe(name = "flaky", concurrency = 2)
    void on(String s) throws Exception {
      attempts.incrementAndGet();
      throw new Exception("not today");
    }
  }

  @Test
  void theDefaultsGiveTheRetryPolicyAndTheAnnotationItsNameAndConcurrency() throws Exception {
    try (EventBus bus = Herald.inMemory()) {
      CountDownLatch dead = new CountDownLatch(1);
      bus.subscribe(DeadLetter.class, d -> dead.countDown());
      Flaky flaky = new Flaky();
      Registration r =
          bus.registerWithDefaults(
              flaky,
              SubscribeOptions.defaults()
                  .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2)))
                  .mailboxCapacity(16));
      assertThat(r.subscriptions()).extracting(Subscription::name).containsExactly("flaky");
      bus.publish("greeting", "hi");
      assertThat(dead.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(flaky.attempts).hasValue(3);
      assertThat(bus.stats().subscription("flaky").retried()).isEqualTo(2);
    }
  }

  @Test
  void defaultsWithANameOrAGroupAreRefused() {
    try (EventBus bus = Herald.inMemory()) {
      assertThatThrownBy(
              () -> bus.registerWithDefaults(new Flaky(), SubscribeOptions.defaults().name("x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no name and no group");
      assertThatThrownBy(
              () -> bus.registerWithDefaults(new Flaky(), SubscribeOptions.defaults().group("g")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(bus.stats().subscriptions())
          .extracting(SubscriptionStats::name)
          .doesNotContain("flaky");
    }
  }
}
