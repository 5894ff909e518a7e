package dev.herald.server.internal;

/**
 * The target answered {@code 410 Gone}: the subscription stops for good and is never retried; the
 * event (and any it held in its mailbox) is dead-lettered at once with this class as {@code
 * causeType}.
 */
final class WebhookGoneException extends WebhookDeliveryException {
  private static final long serialVersionUID = 1L;

  WebhookGoneException(String message) {
    super(410, message);
  }
}
