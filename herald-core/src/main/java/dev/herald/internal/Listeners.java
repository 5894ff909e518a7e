package dev.herald.internal;

import dev.herald.Registration;
import java.lang.invoke.MethodHandles;

/**
 * Registers the {@link dev.herald.Subscribe} methods of listener objects: finds and checks them,
 * builds a handler per method, and subscribes each through the engine.
 */
final class Listeners {
  private Listeners() {}

  /**
   * Subscribes every {@code @Subscribe} method of {@code listener}.
   *
   * @param lookup the caller's lookup, or null to reach the methods from Herald's own module
   */
  static Registration register(Engine engine, Object listener, MethodHandles.Lookup lookup) {
    throw new UnsupportedOperationException("register: not implemented yet");
  }
}
