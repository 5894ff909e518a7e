package dev.herald;

/**
 * A publish was refused because a subscription's mailbox was full and its {@link Backpressure}
 * policy is {@code FAIL}, or {@code BLOCK} and the wait timed out (or the publisher is a Herald
 * delivery thread, which never blocks). The other matching subscriptions still received the event.
 *
 * <p>{@code FAIL} and a mailbox of {@value SubscribeOptions#DEFAULT_MAILBOX_CAPACITY} events are
 * the defaults; the message names the options that change them ({@link
 * SubscribeOptions#backpressure}, {@link Backpressure#block}, {@link
 * SubscribeOptions#mailboxCapacity}).
 */
public class MailboxFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String subscription;

  public MailboxFullException(String subscription, String detail) {
    super("mailbox of subscription '" + subscription + "' is full: " + detail);
    this.subscription = subscription;
  }

  /** The name of the subscription that refused the event. */
  public String subscription() {
    return subscription;
  }
}
