package dev.herald.opentelemetry;

import io.opentelemetry.api.trace.Span;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The send spans started by {@code onPublish} and not yet ended by {@code onPublished}, per
 * publishing thread: both run on that thread, so no map keyed by id is shared between threads.
 *
 * <p>The bus calls them in one of two orders, and both find their span at an end of the deque at
 * once: nested (a publish inside another, from a handler run by a direct executor: last in, first
 * out) and batched ({@code publishAll}: every {@code onPublish}, then every {@code onPublished} in
 * the same order: first in, first out). Any other order is searched for. Matched by event id: the
 * event {@code onPublished} sees may be a later interceptor's copy, with the same id.
 */
final class SendSpans {
  private record Pending(String eventId, Span span) {}

  private final ThreadLocal<ArrayDeque<Pending>> pending = ThreadLocal.withInitial(ArrayDeque::new);

  /** Remembers {@code span} for the event {@code eventId}, on this thread. */
  void push(String eventId, Span span) {
    pending.get().addLast(new Pending(eventId, span));
  }

  /** Forgets and returns the span remembered for {@code eventId} on this thread, or null. */
  Span take(String eventId) {
    ArrayDeque<Pending> q = pending.get();
    Pending p = q.peekLast();
    if (p != null && p.eventId.equals(eventId)) {
      return q.pollLast().span;
    }
    p = q.peekFirst();
    if (p != null && p.eventId.equals(eventId)) {
      return q.pollFirst().span;
    }
    for (Iterator<Pending> it = q.iterator(); it.hasNext(); ) {
      p = it.next();
      if (p.eventId.equals(eventId)) {
        it.remove();
        return p.span;
      }
    }
    return null;
  }

  /** How many spans this thread has pending (for tests: none once every publish has returned). */
  int pendingOnThisThread() {
    return pending.get().size();
  }
}
