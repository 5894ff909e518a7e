package dev.herald;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.spi.Interceptor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** An interceptor that refuses the bus in attach: build fails, and the half-built bus is closed. */
class InterceptorAttachTest {
  @Test
  void aFailingAttachFailsBuildAndClosesTheBus() {
    AtomicReference<EventBus> attached = new AtomicReference<>();
    Interceptor refusing =
        new Interceptor() {
          @Override
          public void attach(EventBus bus) {
            attached.set(bus);
            throw new IllegalStateException("not this bus");
          }
        };
    assertThatThrownBy(() -> Herald.builder().interceptor(refusing).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("not this bus");
    // Closed: it refuses publishes, so nothing it started is left running for nobody.
    await()
        .atMost(30, SECONDS)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> attached.get().emit("order.placed", "o-1"))
                    .isInstanceOf(BusClosedException.class));
  }
}
