package dev.herald.internal;

import dev.herald.Event;
import java.lang.invoke.VarHandle;

/**
 * Marks an event while a publisher is offering it to the matching mailboxes, so that a lane that
 * takes it early can tell its routing is not finished. The mark is a count on the {@link Event}
 * itself (one event may be published by two threads at once), reached through a handle that {@link
 * Event} hands over when it is initialised: routing allocates nothing. Thread-safe.
 *
 * <p>The access hook {@link #install} is public only because {@link Event} lives in another
 * package; it is not API, and it accepts one handle, once.
 */
public final class RoutingMarks {
  private static VarHandle installed;

  private RoutingMarks() {}

  /**
   * Called once by {@link Event}'s initialiser with the handle of its routing count (an {@code int}
   * field of the event).
   *
   * @throws IllegalStateException if a handle was installed already
   */
  public static synchronized void install(VarHandle routingCount) {
    if (installed != null) {
      throw new IllegalStateException("the routing count of Event is installed already");
    }
    installed = routingCount;
  }

  /** Read once, after Event's initialiser ran: then a constant the JIT folds in. */
  private static final class Handle {
    static final VarHandle COUNT = load();

    private static VarHandle load() {
      try {
        // Initialising Event installs the handle; the class-initialisation lock orders that write
        // before this read, whichever thread initialised Event.
        Class.forName(Event.class.getName(), true, RoutingMarks.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ExceptionInInitializerError(e);
      }
      synchronized (RoutingMarks.class) {
        return installed;
      }
    }
  }

  /** The calling publisher starts offering {@code event}. Full fence: before its first offer. */
  static void begin(Event<?> event) {
    Handle.COUNT.getAndAdd(event, 1);
  }

  /** The calling publisher made its last offer of {@code event}. Full fence: after the offers. */
  static void end(Event<?> event) {
    Handle.COUNT.getAndAdd(event, -1);
  }

  /**
   * Whether some publisher is still offering {@code event} to mailboxes. A lane that took the event
   * from its mailbox and reads false here knows every mailbox that publisher routes it to holds it.
   */
  static boolean inProgress(Event<?> event) {
    return (int) Handle.COUNT.getVolatile(event) != 0;
  }
}
