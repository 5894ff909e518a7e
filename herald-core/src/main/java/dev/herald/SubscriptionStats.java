package dev.herald;

/**
 * A snapshot of one subscription's counters. Counters are read one by one while delivery goes on,
 * so a snapshot taken under load is approximate; once the subscription is quiet it is exact and
 * {@code routed == delivered + deadLettered + dropped + inFlight}.
 *
 * <p>Handler latencies come from timed handler calls. Reading the clock twice costs about as much
 * as a trivial handler, so a handler that finishes within a couple of microseconds is timed one
 * call in 16, and one within a microsecond one call in 128 (a uniform sample: the percentiles hold,
 * the maximum is that of the sample); a slower handler, or any handler on a bus whose {@link
 * BusListener} overrides {@code onHandled}, is timed on every call.
 *
 * @param name the subscription's name
 * @param routed events routed to it (accepted into its mailbox or dropped on arrival)
 * @param delivered events its handler finished successfully
 * @param failed handler calls that threw
 * @param retried retries scheduled
 * @param deadLettered events given up on and sent to the dead-letter channel; for a subscription to
 *     dead letters themselves ({@link DeadLetter}), giving up on a dead letter means it is reported
 *     to {@link BusListener#onDeadLetter} (logged when the listener does not take dead letters) and
 *     not published again, so that a failing dead-letter handler cannot loop
 * @param dropped events dropped by its backpressure policy or left behind at close
 * @param mailboxDepth events waiting in its mailbox now
 * @param inFlight events routed but not yet finished (waiting, being handled or awaiting a retry)
 * @param latencyP50Nanos handler latency, median, in nanoseconds
 * @param latencyP99Nanos handler latency, 99th percentile
 * @param latencyMaxNanos handler latency, maximum
 * @param group the consumer group of a durable subscription; null for an in-process one
 * @param lag for a durable subscription, the events stored for its group that this process's feed
 *     has not yet had acknowledged (the partitions or log it reads; an estimate the transport
 *     refreshes as it reads); -1 when in-process or when the transport cannot tell
 * @param feedFailure for a durable subscription whose feed stopped for good, the cause as text (the
 *     same failure {@link BusListener#onFeedFailed} heard: a corrupt log, a consumer the broker
 *     refused); it does not recover. Null otherwise
 */
public record SubscriptionStats(
    String name,
    long routed,
    long delivered,
    long failed,
    long retried,
    long deadLettered,
    long dropped,
    long mailboxDepth,
    long inFlight,
    long latencyP50Nanos,
    long latencyP99Nanos,
    long latencyMaxNanos,
    String group,
    long lag,
    String feedFailure) {}
