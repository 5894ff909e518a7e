package dev.herald;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How a subscription receives events: its name, mailbox capacity, backpressure, retry policy,
 * concurrency and executor. Immutable; each {@code with}-style method returns a copy.
 *
 * <p>Defaults: a generated name, a mailbox of {@value #DEFAULT_MAILBOX_CAPACITY} events, {@link
 * Backpressure#fail()}, {@link RetryPolicy#none()}, concurrency 1, the bus's executor.
 */
public final class SubscribeOptions {
  public static final int DEFAULT_MAILBOX_CAPACITY = 8192;
  public static final int MAX_MAILBOX_CAPACITY = 1 << 24;
  public static final int MAX_CONCURRENCY = 1024;

  private static final SubscribeOptions DEFAULTS =
      new SubscribeOptions(
          null, DEFAULT_MAILBOX_CAPACITY, Backpressure.fail(), RetryPolicy.none(), 1, null, null);

  private final String name;
  private final int mailboxCapacity;
  private final Backpressure backpressure;
  private final RetryPolicy retry;
  private final int concurrency;
  private final Executor executor;
  private final String group;

  private SubscribeOptions(
      String name,
      int mailboxCapacity,
      Backpressure backpressure,
      RetryPolicy retry,
      int concurrency,
      Executor executor,
      String group) {
    this.name = name;
    this.mailboxCapacity = mailboxCapacity;
    this.backpressure = backpressure;
    this.retry = retry;
    this.concurrency = concurrency;
    this.executor = executor;
    this.group = group;
  }

  public static SubscribeOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Names the subscription; names appear in stats, dead letters and listener calls. Two live
   * subscriptions of a bus never share a name, and {@code herald.replies} is the bus's own.
   */
  public SubscribeOptions name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("name: must be 1 to 200 non-blank characters");
    }
    return new SubscribeOptions(
        name, mailboxCapacity, backpressure, retry, concurrency, executor, group);
  }

  /**
   * The mailbox capacity, rounded up to a power of two. With concurrency N, each of the N lanes has
   * a mailbox of this capacity divided by N (at least 2).
   */
  public SubscribeOptions mailboxCapacity(int capacity) {
    if (capacity < 2 || capacity > MAX_MAILBOX_CAPACITY) {
      throw new IllegalArgumentException(
          "mailboxCapacity: must be within [2, " + MAX_MAILBOX_CAPACITY + "], was " + capacity);
    }
    return new SubscribeOptions(name, capacity, backpressure, retry, concurrency, executor, group);
  }

  public SubscribeOptions backpressure(Backpressure backpressure) {
    return new SubscribeOptions(
        name,
        mailboxCapacity,
        Objects.requireNonNull(backpressure, "backpressure"),
        retry,
        concurrency,
        executor,
        group);
  }

  public SubscribeOptions retry(RetryPolicy retry) {
    return new SubscribeOptions(
        name,
        mailboxCapacity,
        backpressure,
        Objects.requireNonNull(retry, "retry"),
        concurrency,
        executor,
        group);
  }

  /**
   * Lets the handler run on up to {@code n} threads at once. Events with the same key, and events
   * without a key published by the same thread, still arrive in order: they go to the same lane.
   */
  public SubscribeOptions concurrency(int n) {
    if (n < 1 || n > MAX_CONCURRENCY) {
      throw new IllegalArgumentException(
          "concurrency: must be within [1, " + MAX_CONCURRENCY + "], was " + n);
    }
    return new SubscribeOptions(name, mailboxCapacity, backpressure, retry, n, executor, group);
  }

  /**
   * Runs this subscription's handler on {@code executor} instead of the bus's. Herald never shuts
   * down an executor it was given.
   */
  public SubscribeOptions executor(Executor executor) {
    return new SubscribeOptions(
        name,
        mailboxCapacity,
        backpressure,
        retry,
        concurrency,
        Objects.requireNonNull(executor, "executor"),
        group);
  }

  /**
   * Makes the subscription durable, in the named consumer group, on a bus built with a {@link
   * dev.herald.spi.Transport}: it is fed stored events at least once and resumes after a restart.
   * On a bus without a transport the group is ignored.
   */
  public SubscribeOptions group(String group) {
    Objects.requireNonNull(group, "group");
    if (group.isBlank() || group.length() > 200) {
      throw new IllegalArgumentException("group: must be 1 to 200 non-blank characters");
    }
    return new SubscribeOptions(
        name, mailboxCapacity, backpressure, retry, concurrency, executor, group);
  }

  /** The name, or null when Herald is to generate one. */
  public String name() {
    return name;
  }

  public int mailboxCapacity() {
    return mailboxCapacity;
  }

  public Backpressure backpressure() {
    return backpressure;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public int concurrency() {
    return concurrency;
  }

  /** The executor, or null for the bus's. */
  public Executor executor() {
    return executor;
  }

  /** The consumer group, or null for a non-durable subscription. */
  public String group() {
    return group;
  }

  @Override
  public String toString() {
    return "SubscribeOptions{name="
        + name
        + ", mailboxCapacity="
        + mailboxCapacity
        + ", backpressure="
        + backpressure
        + ", retry="
        + retry
        + ", concurrency="
        + concurrency
        + (group == null ? "" : ", group=" + group)
        + '}';
  }
}
