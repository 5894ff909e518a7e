package dev.herald;

import java.util.Map;

/**
 * What {@link EventBus#close(java.time.Duration)} left behind.
 *
 * @param drained true if every routed event was finished within the timeout
 * @param undelivered per subscription name, the events that were not (counted as dropped, {@link
 *     DropReason#CLOSED}); only subscriptions with a non-zero count appear
 * @param threadsStopped true if every thread Herald started has ended; when a handler called close,
 *     every one but that handler's, which ends once the handler returns
 */
public record CloseReport(boolean drained, Map<String, Long> undelivered, boolean threadsStopped) {
  public CloseReport {
    undelivered = Map.copyOf(undelivered);
  }

  /** The total of events left undelivered. */
  public long totalUndelivered() {
    long sum = 0;
    for (long n : undelivered.values()) {
      sum += n;
    }
    return sum;
  }
}
