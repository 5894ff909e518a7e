package dev.herald.examples.shop;

import dev.herald.BusStats;
import dev.herald.DropReason;
import dev.herald.SubscriptionStats;
import java.util.Set;

/**
 * What a run lost, counted after the bus is closed, when every counter is final. A correct run
 * loses nothing: every term is zero.
 *
 * <ul>
 *   <li>{@code unfinishedOrders}: orders of the scenario that reached neither shipped nor cancelled
 *       (including any that were never placed).
 *   <li>{@code unaccountedEvents}: for each subscription, {@code routed - delivered - deadLettered
 *       - policyDrops}. {@code policyDrops} are the drops a {@code DROP_OLDEST} or {@code
 *       DROP_NEWEST} policy made on a subscription that declared it may drop (analytics), which are
 *       reported separately as the price of its policy. Every other drop is lost: {@code REJECTED}
 *       (a full mailbox refused the event) and {@code CLOSED} (the bus closed before delivering
 *       it), as is anything still in flight. Dead-lettered events are not lost here: the next term
 *       checks that their dead letters were handled.
 *   <li>{@code lostDeadLetters}: dead letters that went nowhere: those the dead-letter subscription
 *       itself gave up on (the bus does not publish a dead letter of a dead letter), plus those
 *       dead-lettered elsewhere that never reached the dead-letter subscription.
 *   <li>{@code unroutedEvents}: events that matched no subscription at all and were not stored. On
 *       a storing transport (the log, Kafka) every published event is stored, or it counts in the
 *       next term: an event no subscription in this process took is not lost there, it waits in the
 *       store for durable subscriptions, maybe in other processes (the storefront's {@code
 *       order.placed} for a back office). So this term is the bus's unrouted count on the in-memory
 *       bus only, whether or not the bus also counts stored events as unrouted.
 *   <li>{@code unstoredEvents}: events the log failed to store (zero on the in-memory bus).
 * </ul>
 *
 * <p>One fault can show in two terms (an event lost on the way leaves its order unfinished); the
 * total is a count of symptoms, meant to be zero, not a count of root causes.
 */
public record LossAudit(
    long unfinishedOrders,
    long unaccountedEvents,
    long lostDeadLetters,
    long unroutedEvents,
    long unstoredEvents) {

  /** The sum of every term. */
  public long total() {
    return unfinishedOrders + unaccountedEvents + lostDeadLetters + unroutedEvents + unstoredEvents;
  }

  /**
   * Audits a closed bus.
   *
   * @param storing whether the bus stores every published event (a transport), so that an unrouted
   *     event is lost only if it failed to store
   * @param mayDrop the subscriptions whose drop policy is part of their design
   * @param deadLetterSubscription the subscription that handles dead letters
   */
  static LossAudit of(
      BusStats closed,
      long unfinishedOrders,
      boolean storing,
      DropLedger ledger,
      Set<String> mayDrop,
      String deadLetterSubscription) {
    long unaccounted = 0;
    long deadLetteredElsewhere = 0;
    long deadLettersRouted = 0;
    long deadLettersAbandoned = 0;
    for (SubscriptionStats s : closed.subscriptions()) {
      long policyDrops =
          mayDrop.contains(s.name())
              ? ledger.dropped(s.name(), DropReason.OLDEST)
                  + ledger.dropped(s.name(), DropReason.NEWEST)
              : 0;
      unaccounted += Math.max(0, s.routed() - s.delivered() - s.deadLettered() - policyDrops);
      if (s.name().equals(deadLetterSubscription)) {
        deadLettersRouted = s.routed();
        deadLettersAbandoned = s.deadLettered();
      } else {
        deadLetteredElsewhere += s.deadLettered();
      }
    }
    long lostDeadLetters =
        deadLettersAbandoned + Math.max(0, deadLetteredElsewhere - deadLettersRouted);
    return new LossAudit(
        unfinishedOrders,
        unaccounted,
        lostDeadLetters,
        storing ? 0 : closed.unrouted(),
        closed.storeFailed());
  }
}
