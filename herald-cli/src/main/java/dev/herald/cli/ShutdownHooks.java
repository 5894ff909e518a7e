package dev.herald.cli;

/** The shutdown hooks of commands that stop on Ctrl-C or a signal (serve, the tails, replay). */
final class ShutdownHooks {
  private ShutdownHooks() {}

  /**
   * Removes {@code hook} once its command ended by itself. While the JVM is shutting down the hook
   * is running and waits for the command's thread, which calls this: nothing to remove then.
   */
  static void remove(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running and waits for this thread
    }
  }
}
