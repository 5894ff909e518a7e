package dev.herald.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Herald;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestTimeoutTaskTest {

  @Test
  void aReplyTakesItsRequestsTimeoutOffTheTimer() throws Exception {
    Engine bus = (Engine) Herald.builder().workerThreads(2).build();
    try {
      bus.respond("echo.q", Integer.class, req -> req.data());
      for (int i = 0; i < 1_000; i++) {
        assertThat(bus.request("echo.q", i, Integer.class, Duration.ofHours(1)).get(30, SECONDS))
            .isEqualTo(i);
      }
      // An hour-long timeout per answered request would otherwise sit on the timer for an hour.
      assertThat(bus.timerTasks()).isZero();
    } finally {
      bus.close(Duration.ofSeconds(10));
    }
  }
}
