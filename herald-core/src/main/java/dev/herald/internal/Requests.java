package dev.herald.internal;

import dev.herald.BusClosedException;
import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.NoResponderException;
import dev.herald.RemoteFailureException;
import dev.herald.RequestTimeoutException;
import dev.herald.Responder;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.TimeSource;
import dev.herald.TooManyRequestsException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request/reply over the bus: a request is an event that names the bus's reply type; a responder's
 * answer comes back as an event to the bus's own reply subscription, which completes the waiting
 * future. At most {@code maxPendingRequests} wait at a time; each has a timeout on the timer.
 * Thread-safe: requests are made on any user thread, replies arrive on the reply subscription's
 * drainer, timeouts fire on the timer thread, and close fails what still waits.
 */
final class Requests {
  /** The name of the bus's own subscription to replies, reserved. */
  static final String REPLIES = "herald.replies";

  private static final String REPLY_TO = "replyto";
  private static final String IN_REPLY_TO = "inreplyto";
  private static final String REPLY_ERROR = "replyerror";

  private final Subscriptions subscriptions;
  private final Router router;
  private final Publisher publisher;
  private final Lifecycle life;
  private final TimeSource time;
  private final TimeSource.Timer timer;
  private final String source;
  private final String replyType;
  private final int maxPendingRequests;

  private final Map<String, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
  // Requests admitted and not yet ended; may exceed the map's size while one is being set up.
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final Object replySubscriptionLock = new Object();
  private volatile SubscriptionImpl replySubscription;

  Requests(
      Subscriptions subscriptions,
      Router router,
      Publisher publisher,
      Lifecycle life,
      TimeSource time,
      TimeSource.Timer timer,
      String source,
      int maxPendingRequests) {
    this.subscriptions = subscriptions;
    this.router = router;
    this.publisher = publisher;
    this.life = life;
    this.time = time;
    this.timer = timer;
    this.source = source;
    this.maxPendingRequests = maxPendingRequests;
    this.replyType =
        "herald.reply." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  <R> CompletableFuture<R> request(
      String type, Object payload, Class<R> replyType, Duration timeout) {
    Objects.requireNonNull(replyType, "replyType");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
    }
    // Refused once closed, as a subscription is (a request needs the reply subscription), even
    // from a handler while the bus drains: close fails the requests still waiting anyway.
    if (life.isClosed()) {
      throw new BusClosedException("request");
    }
    try {
      ensureReplySubscription();
    } catch (BusClosedException e) {
      // Named for the call the user made: they never called subscribe.
      throw new BusClosedException("request");
    }
    Event<Object> request =
        Event.builder(type)
            .source(source)
            .time(Instant.ofEpochMilli(time.epochMillis()))
            .data(payload)
            .extension(REPLY_TO, this.replyType)
            .build();
    if (!router.hasRoute(type, payload)) {
      return CompletableFuture.failedFuture(new NoResponderException(type));
    }
    // Counted before the request exists, so that racing requesters never pass the bound together.
    if (pendingCount.incrementAndGet() > maxPendingRequests) {
      pendingCount.decrementAndGet();
      return CompletableFuture.failedFuture(new TooManyRequestsException(maxPendingRequests));
    }
    CompletableFuture<Object> reply = new CompletableFuture<>();
    String id = request.id();
    pending.put(id, reply);
    Future<?> timeoutTask = null;
    try {
      timeoutTask =
          timer.schedule(
              () -> {
                CompletableFuture<Object> f = pending.remove(id);
                if (f != null) {
                  f.completeExceptionally(new RequestTimeoutException(type, id, timeout));
                }
              },
              Durations.saturatedNanos(timeout));
      publisher.emit(request);
    } catch (BusClosedException e) {
      // Closed since the check above: refused at the call all the same, with nothing sent and no
      // place taken.
      pending.remove(id);
      pendingCount.decrementAndGet();
      if (timeoutTask != null) {
        timeoutTask.cancel(false);
      }
      throw new BusClosedException("request");
    } catch (RuntimeException e) {
      pending.remove(id);
      reply.completeExceptionally(
          e instanceof RejectedExecutionException ? new BusClosedException("request") : e);
    }
    Future<?> task = timeoutTask;
    // However the request ends (reply, timeout, close, failure to send), its place is freed and its
    // timeout leaves the timer, before the requester hears of the outcome.
    return reply
        .whenComplete(
            (r, t) -> {
              pendingCount.decrementAndGet();
              if (task != null) {
                task.cancel(false);
              }
            })
        .thenApply(replyType::cast);
  }

  private void ensureReplySubscription() {
    if (replySubscription != null) {
      return;
    }
    synchronized (replySubscriptionLock) {
      if (replySubscription == null) {
        replySubscription =
            subscriptions.add(
                Selector.forPattern(replyType),
                SubscribeOptions.defaults()
                    .name(REPLIES)
                    .mailboxCapacity(Math.max(1 << 16, maxPendingRequests)),
                REPLIES,
                this::onReply);
      }
    }
  }

  private void onReply(Event<?> reply) {
    String to = reply.extension(IN_REPLY_TO);
    CompletableFuture<Object> f = to == null ? null : pending.remove(to);
    if (f == null) {
      return; // A late reply to a request that timed out: nobody waits for it any more.
    }
    String error = reply.extension(REPLY_ERROR);
    if (error != null) {
      f.completeExceptionally(new RemoteFailureException(error));
    } else {
      f.complete(reply.data());
    }
  }

  <T> Subscription respond(
      String pattern, Class<T> requestType, Responder<T> responder, SubscribeOptions options) {
    Objects.requireNonNull(responder, "responder");
    EventHandler<T> handler =
        request -> {
          String replyTo = request.extension(REPLY_TO);
          Event.Builder<Object> reply;
          VirtualMachineError fatal = null;
          try {
            Object answer = responder.respond(request);
            reply = Event.builder(replyTo == null ? "herald.reply.none" : replyTo).data(answer);
          } catch (Throwable e) {
            // An Error is the requester's failure too: it is answered at once, not left to time
            // out.
            if (e instanceof VirtualMachineError vme) {
              fatal = vme;
            }
            String msg =
                e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            reply =
                Event.builder(replyTo == null ? "herald.reply.none" : replyTo)
                    .data(null)
                    .extension(REPLY_ERROR, msg.length() > 4000 ? msg.substring(0, 4000) : msg);
          }
          if (replyTo != null) {
            publisher.emitInternal(
                reply
                    .source(source)
                    .time(Instant.ofEpochMilli(time.epochMillis()))
                    .extension(IN_REPLY_TO, request.id())
                    .build());
          }
          if (fatal != null) {
            // The JVM is in trouble: the subscription's failure handling must hear of it too.
            throw fatal;
          }
        };
    return subscriptions.subscribe(pattern, requestType, handler, options);
  }

  /** Fails every request still waiting for a reply; called by close once delivery has stopped. */
  void failPending() {
    for (CompletableFuture<Object> f : pending.values()) {
      f.completeExceptionally(new BusClosedException("wait for a reply"));
    }
    pending.clear();
  }
}
