package dev.herald;

import java.time.Duration;
import java.util.Objects;

/**
 * What a publish does when a subscription's mailbox is full. Chosen per subscription; the default
 * is {@link #fail()}, so that no publisher ever blocks unless a subscriber asked for it.
 *
 * <p>Every event that a policy does not deliver is counted in {@link SubscriptionStats#dropped()}
 * and reported to {@link BusListener#onDropped}.
 */
public final class Backpressure {
  /** The kinds of policy. */
  public enum Kind {
    /** The publisher waits for room, up to a timeout; then the publish fails. */
    BLOCK,
    /** The incoming event is dropped; the publish succeeds for the other subscribers. */
    DROP_NEWEST,
    /** The oldest queued event is dropped to make room. */
    DROP_OLDEST,
    /** The publish fails at once with a {@link MailboxFullException}. */
    FAIL
  }

  private static final Backpressure DROP_NEWEST = new Backpressure(Kind.DROP_NEWEST, Duration.ZERO);
  private static final Backpressure DROP_OLDEST = new Backpressure(Kind.DROP_OLDEST, Duration.ZERO);
  private static final Backpressure FAIL = new Backpressure(Kind.FAIL, Duration.ZERO);

  private final Kind kind;
  private final Duration timeout;

  private Backpressure(Kind kind, Duration timeout) {
    this.kind = kind;
    this.timeout = timeout;
  }

  /**
   * Block the publisher until there is room, at most {@code timeout}; then fail the publish with a
   * {@link MailboxFullException}. A publish made from a Herald delivery thread never blocks: it
   * fails at once instead ({@code emit} throws, {@code publish} returns a failed future), which is
   * what keeps re-entrant publishing free of deadlock. A handler that lets the exception escape
   * hands the decision to its retry policy.
   *
   * <p>In-process subscriptions that select the same events (the same type, pattern or payload
   * class) with one lane, the same mailbox capacity and the same block timeout share one mailbox: a
   * ring that the publisher writes each event into once and each subscription reads at a cursor of
   * its own. The publisher then waits for the slowest of them, as it would for that one's own
   * mailbox; a timeout refuses the event to each of them, each counting and reporting the drop.
   * Like a mailbox of its own, a ring keeps no event reachable once drained: one that a single
   * subscription reads lets go of each event as it is taken, one that several read lets go of the
   * events every one of them has taken when one of them finds the ring drained.
   */
  public static Backpressure block(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: must not be negative, was " + timeout);
    }
    return new Backpressure(Kind.BLOCK, timeout);
  }

  public static Backpressure dropNewest() {
    return DROP_NEWEST;
  }

  public static Backpressure dropOldest() {
    return DROP_OLDEST;
  }

  public static Backpressure fail() {
    return FAIL;
  }

  public Kind kind() {
    return kind;
  }

  /** How long {@link Kind#BLOCK} waits; zero for the other kinds. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return kind == Kind.BLOCK ? "BLOCK(" + timeout + ")" : kind.name();
  }
}
