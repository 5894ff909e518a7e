package dev.herald;

import java.util.List;

/**
 * {@link EventBus#emitAll} offered every event of the batch, and some were refused by a full
 * mailbox ({@code FAIL} policy, or {@code BLOCK} that timed out, or a publisher that is a Herald
 * delivery thread). {@link #refused()} says which: an event not listed reached every matching
 * subscription; a listed one reached every matching subscription that had room for it. The first
 * refusal is the cause, and {@link #subscription()} names its subscription.
 */
public class BatchRefusedException extends MailboxFullException {
  private static final long serialVersionUID = 1L;
  private final List<Integer> refused;

  /**
   * @param batchSize how many events the batch had
   * @param refused the indexes, in the batch, of the events a subscription refused, ascending
   * @param first the first refusal
   */
  public BatchRefusedException(int batchSize, List<Integer> refused, MailboxFullException first) {
    super(
        first.subscription(),
        refused.size()
            + " of the "
            + batchSize
            + " events of the batch were refused (indexes "
            + refused
            + "), the others reached every matching subscription; first refusal: "
            + first.getMessage());
    this.refused = List.copyOf(refused);
    initCause(first);
  }

  /** The indexes, in the batch, of the events that a subscription refused, ascending. */
  public List<Integer> refused() {
    return refused;
  }
}
