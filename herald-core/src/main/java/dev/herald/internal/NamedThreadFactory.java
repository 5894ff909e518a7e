package dev.herald.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names Herald's threads {@code prefix-N} so that they are recognisable in a thread dump. */
final class NamedThreadFactory implements ThreadFactory {
  private final String prefix;
  private final boolean daemon;
  private final AtomicInteger next = new AtomicInteger();

  NamedThreadFactory(String prefix, boolean daemon) {
    this.prefix = prefix;
    this.daemon = daemon;
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + "-" + next.incrementAndGet());
    t.setDaemon(daemon);
    return t;
  }
}
