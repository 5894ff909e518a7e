package dev.herald.contract;

import dev.herald.Herald;
import dev.herald.spi.Transport;
import org.junit.jupiter.api.Nested;

/** Both contracts on the heap-backed test transport: the seam works end to end. */
class MemoryTransportTest {
  @Nested
  class Durable extends DurableContract {
    private final MemoryTransport.Storage storage = new MemoryTransport.Storage();

    @Override
    protected Transport openTransport() {
      return new MemoryTransport(storage);
    }

    @Override
    protected boolean failNextStore(RuntimeException failure) {
      storage.failNextStore = failure;
      return true;
    }

    @Override
    protected boolean decodesThroughJsonCodec() {
      return false;
    }
  }

  @Nested
  class InProcessSubscriptionsOnAStoringBus extends EventBusContract {
    @Override
    protected Herald.Builder newBusBuilder() {
      return Herald.builder().transport(new MemoryTransport(new MemoryTransport.Storage()));
    }

    @Override
    protected boolean storesEvents() {
      return true;
    }

    @Override
    protected int stressEventsPerPublisher() {
      return 20_000;
    }
  }
}
