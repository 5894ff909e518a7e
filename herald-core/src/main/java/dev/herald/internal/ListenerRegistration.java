package dev.herald.internal;

import dev.herald.Registration;
import dev.herald.Subscription;
import java.util.List;

/** The subscriptions of one registered listener. Thread-safe: immutable but for theirs. */
final class ListenerRegistration implements Registration {
  private final Object listener;
  private final List<Subscription> subscriptions;

  ListenerRegistration(Object listener, List<Subscription> subscriptions) {
    this.listener = listener;
    this.subscriptions = List.copyOf(subscriptions);
  }

  @Override
  public Object listener() {
    return listener;
  }

  @Override
  public List<Subscription> subscriptions() {
    return subscriptions;
  }

  @Override
  public void close() {
    // Subscription.close is idempotent and never throws, so closing twice, or from two threads at
    // once, ends each subscription once.
    for (Subscription s : subscriptions) {
      s.close();
    }
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder("Registration{")
            .append(ListenerMethod.simpleName(Listeners.userClass(listener.getClass())))
            .append(": ");
    for (int i = 0; i < subscriptions.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(subscriptions.get(i).name());
    }
    return b.append('}').toString();
  }
}
