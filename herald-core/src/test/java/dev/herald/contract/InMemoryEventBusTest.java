package dev.herald.contract;

import dev.herald.Herald;

/** The contract, on the in-memory engine. */
class InMemoryEventBusTest extends EventBusContract {
  @Override
  protected Herald.Builder newBusBuilder() {
    return Herald.builder();
  }
}
