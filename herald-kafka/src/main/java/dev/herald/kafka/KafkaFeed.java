package dev.herald.kafka;

import dev.herald.Event;
import dev.herald.codec.SubscribedClass;
import dev.herald.internal.transport.AckedPrefix;
import dev.herald.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One durable subscription's feed on Kafka: a single {@link
 * org.apache.kafka.clients.consumer.KafkaConsumer} in consumer group {@link #groupId()}, driven by
 * two threads of its own.
 *
 * <ul>
 *   <li>The <b>poller</b>, {@code herald-kafka-poll-<group>}, is the only thread that touches the
 *       consumer (it is not safe for use from multiple threads; only {@code wakeup} is called from
 *       others): it polls, appends the records to a bounded buffer, pauses every assigned partition
 *       while the buffer is full and resumes them when it has drained to half, commits, and runs
 *       the rebalance listener. While paused it waits for room on the feed's monitor, which the
 *       deliverer signals, and polls without waiting in between, so that it keeps serving the
 *       group.
 *   <li>The <b>deliverer</b>, {@code herald-kafka-deliver-<group>}, takes records from the buffer
 *       in order, a chunk at a time, decodes the chunk, and hands what the filter accepts to the
 *       sink, which may block: that is the subscription's backpressure, and while it lasts the
 *       poller keeps polling (paused), so the consumer stays in its group. Records taken but not
 *       yet handed over still count as buffered.
 * </ul>
 *
 * <p>Commits: per partition, an {@link AckedPrefix} collects {@code done} calls (from any thread);
 * the poller commits the contiguous prefix, asynchronously, every {@code commitEvery}
 * acknowledgements or {@code commitInterval}, and synchronously on revocation and on close. Records
 * the filter rejects, and offsets with no record (transaction markers, compaction), count as done.
 * So a crash redelivers at most what was finished since the last commit, and everything unfinished.
 *
 * <p>Rebalance: on revocation the feed drops the revoked partitions' buffered, undelivered records
 * (their new owner reads them from the committed offset) and commits what is done; acknowledgements
 * arriving later for those partitions are ignored. On loss (the group moved on without us) it drops
 * them without committing.
 *
 * <p>Decoding: the deliverer reads a binary-mode record's {@code ce_type} header first and counts
 * the record done, undecoded, when the sink does not {@linkplain Transport.FeedSink#wantsType want}
 * that type. A record whose type hint names the class the subscription names ({@link
 * Transport.FeedSink#payloadClass}, see {@link SubscribedClass}) decodes into that class, whatever
 * the codec allows. A record that makes no event goes to {@link Transport.FeedSink#undecodable} as
 * a placeholder ({@link KafkaRecordDescriptor#placeholder}), which the bus dead-letters: a poison
 * record never stops the feed nor blocks its partition.
 *
 * <p>Failure: an unexpected error on either thread (an authorization refusal, a bug) is logged at
 * ERROR, recorded ({@link #state()} {@code FAILED}, {@link #failure()}), reported to the sink
 * ({@link Transport.FeedSink#failed}, which the bus passes to {@code BusListener.onFeedFailed}),
 * and stops the feed; nothing is lost silently, and nothing it had not finished is committed.
 */
public final class KafkaFeed implements Transport.Feed {
  // Fully qualified: this file's imports stay as they were.
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.herald.kafka");

  /** Records the deliverer takes from the buffer at a time. */
  private static final int CHUNK = 256;

  /** What {@link #decode} returns for a record the subscription never takes. */
  private static final Object SKIP = new Object();

  private static final VarHandle FINISHED;

  static {
    try {
      FINISHED = MethodHandles.lookup().findVarHandle(Pending.class, "finished", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Where a feed is in its life. */
  public enum State {
    RUNNING,
    CLOSING,
    CLOSED,
    FAILED
  }

  private final String groupId;
  private final Consumer<byte[], byte[]> consumer;
  private final Collection<String> topics;
  private final KafkaRecordDescriptor descriptor;
  private final Predicate<Event<?>> filter;
  private final Transport.FeedSink sink;
  // The class the subscription names: binary-mode records naming it decode into it.
  private final SubscribedClass subscribed;
  private final FeedSettings settings;
  private final Thread poller;
  private final Thread deliverer;

  // Guards buffer, held and paused. The deliverer waits on it for records, the poller (while
  // paused)
  // for room, close for in-flight records.
  private final Object lock = new Object();
  private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
  // Records the deliverer has taken from the buffer in its current chunk and not yet handed to the
  // sink: still buffered, as far as pausing is concerned.
  private int held;
  private boolean paused;
  // Records handed to the sink and not finished; counted without the lock (one update per record).
  private final AtomicInteger inFlight = new AtomicInteger();

  // Touched by the poller thread only (the rebalance listener runs inside poll).
  private final Map<TopicPartition, Progress> owned = new HashMap<>();
  // The owned partitions as other threads read them for lag(); null until the first assignment.
  // Replaced whole by the poller when the assignment changes.
  private volatile List<Progress> ownedView;
  private long lastCommitNanos = System.nanoTime();

  private final CompletableFuture<Void> assigned = new CompletableFuture<>();
  private volatile boolean stopping;
  private volatile boolean crashed;
  private volatile State state = State.RUNNING;
  private volatile Throwable failure;

  KafkaFeed(
      String groupId,
      Consumer<byte[], byte[]> consumer,
      Collection<String> topics,
      KafkaRecordDescriptor descriptor,
      Predicate<Event<?>> filter,
      Transport.FeedSink sink,
      FeedSettings settings) {
    this.groupId = groupId;
    this.consumer = consumer;
    this.topics = List.copyOf(topics);
    this.descriptor = descriptor;
    this.filter = filter;
    this.sink = sink;
    this.subscribed = SubscribedClass.of(sink.payloadClass(), sink.takesUnnamedPayloads());
    this.settings = settings;
    this.poller = new Thread(this::poll, "herald-kafka-poll-" + groupId);
    this.deliverer = new Thread(this::deliver, "herald-kafka-deliver-" + groupId);
    poller.setDaemon(true);
    deliverer.setDaemon(true);
  }

  /** How the transport tunes its feeds. */
  record FeedSettings(
      Duration pollTimeout,
      int commitEvery,
      Duration commitInterval,
      int maxBuffered,
      Duration closeTimeout,
      KafkaTransport.AssignmentListener assignmentListener) {}

  void start() {
    poller.start();
    deliverer.start();
  }

  /** The Kafka consumer group id of this feed. */
  public String groupId() {
    return groupId;
  }

  public State state() {
    return state;
  }

  /**
   * Completes once the feed's consumer has joined its group and been given its partitions (none,
   * when the group has more members than partitions) for the first time: from then on, records
   * stored are fed without waiting for the group to form. Fails if the feed fails or closes first.
   * Starting a consumer group takes a few round trips to the group coordinator (more on a new
   * cluster, which creates its offsets topic then); a caller that measures latency, or must not
   * miss records stored before its group existed with {@code auto.offset.reset=latest}, waits for
   * this first.
   */
  public CompletableFuture<Void> assigned() {
    return assigned.copy();
  }

  /**
   * The records of the assigned partitions after the feed's acknowledged prefix of each: per
   * partition, the end offset (the last stored offset the poller saw, refreshed after each poll
   * from the consumer's fetch state, without a call to the broker) minus the acknowledged prefix.
   * -1 until the feed is first assigned partitions; 0 with none. Any thread.
   */
  @Override
  public long lag() {
    List<Progress> view = ownedView;
    if (view == null) {
      return -1;
    }
    long lag = 0;
    for (Progress p : view) {
      lag += Math.max(0, p.end - p.acked.next());
    }
    return lag;
  }

  /** Why the feed stopped, when it {@linkplain State#FAILED failed}. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  // ------------------------------------------------------------------ poller thread

  private void poll() {
    try {
      consumer.subscribe(topics, new Rebalance());
      while (!stopping) {
        // While paused, wait here for room rather than in poll (see awaitRoom).
        boolean waited = awaitRoom();
        if (waited) {
          flowControl();
        }
        ConsumerRecords<byte[], byte[]> records =
            consumer.poll(waited && paused ? Duration.ZERO : settings.pollTimeout());
        enqueue(records);
        flowControl();
        commitIfDue();
      }
    } catch (WakeupException e) {
      if (!stopping) {
        fail(e);
      }
    } catch (TopicAuthorizationException e) {
      fail(
          new KafkaTransportException(
              "feed of group '"
                  + groupId
                  + "': not authorized to read topics "
                  + e.unauthorizedTopics(),
              e));
    } catch (GroupAuthorizationException e) {
      fail(
          new KafkaTransportException(
              "feed of group '" + groupId + "': not authorized to use the " + "consumer group", e));
    } catch (Throwable e) {
      fail(e);
    } finally {
      shutDown();
    }
  }

  /**
   * While the partitions are paused, waits up to a poll timeout for the buffer to drain to half,
   * and returns true (the caller resumes if it has, else polls without waiting, to keep serving the
   * group and its commits); returns false at once when not paused. A poll on paused partitions
   * would sleep its whole timeout, since no record can arrive to end it early, while the deliverer
   * may have drained the buffer long before: the deliverer wakes this wait instead as soon as there
   * is room.
   */
  private boolean awaitRoom() throws InterruptedException {
    synchronized (lock) {
      if (!paused) {
        return false;
      }
      long deadline = System.nanoTime() + settings.pollTimeout().toNanos();
      while (!hasRoom() && !stopping) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Whether a paused feed may resume: what it holds has drained to half. Under the lock. */
  private boolean hasRoom() {
    return buffer.size() + held <= settings.maxBuffered() / 2;
  }

  private void enqueue(ConsumerRecords<byte[], byte[]> records) {
    if (!records.isEmpty()) {
      List<Pending> batch = new ArrayList<>(records.count());
      // Partition by partition: one look-up each, and each partition's records stay in order.
      for (TopicPartition tp : records.partitions()) {
        Progress p = owned.get(tp);
        if (p == null) {
          continue; // revoked while this batch was in flight: the new owner reads it
        }
        for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
          if (r.offset() > p.expected) {
            p.acked.ack(p.expected, r.offset()); // offsets without a record: nothing to deliver
          }
          p.expected = r.offset() + 1;
          batch.add(new Pending(p, r));
        }
      }
      synchronized (lock) {
        boolean wasEmpty = buffer.isEmpty();
        buffer.addAll(batch);
        if (wasEmpty) {
          lock.notifyAll(); // the deliverer waits only on an empty buffer
        }
      }
    }
    for (Progress p : owned.values()) {
      long position;
      try {
        position = consumer.position(p.partition, Duration.ZERO);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        continue; // not known without a round trip; the next poll tells
      }
      if (position > p.expected) {
        p.acked.ack(p.expected, position); // e.g. a transaction marker at the end of a batch
        p.expected = position;
      }
      // The lag the last fetch reported (end offset minus position) is local state: no request.
      OptionalLong fetchLag = consumer.currentLag(p.partition);
      p.end = Math.max(position, fetchLag.isPresent() ? position + fetchLag.getAsLong() : p.end);
    }
  }

  private void flowControl() {
    boolean pause;
    boolean resume;
    synchronized (lock) {
      pause = !paused && buffer.size() + held >= settings.maxBuffered();
      resume = paused && hasRoom();
      if (pause || resume) {
        paused = pause;
      }
    }
    if (pause) {
      consumer.pause(consumer.assignment());
    } else if (resume) {
      consumer.resume(consumer.paused());
    }
  }

  private void commitIfDue() {
    long acks = 0;
    for (Progress p : owned.values()) {
      acks += p.acked.next() - p.committed;
    }
    if (acks == 0) {
      return;
    }
    if (acks >= settings.commitEvery()
        || System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = committable(owned.values());
      lastCommitNanos = System.nanoTime();
      consumer.commitAsync(
          offsets,
          (done, e) -> {
            if (e != null) {
              // A later commit covers it; until then a restart redelivers, which at-least-once
              // allows.
              if (LOG.isDebugEnabled()) {
                LOG.debug(
                    "commit of group '{}' failed, a later one retries: {}", groupId, e.toString());
              }
              for (Map.Entry<TopicPartition, OffsetAndMetadata> x : offsets.entrySet()) {
                Progress p = owned.get(x.getKey());
                if (p != null && p.committed == x.getValue().offset()) {
                  p.committed = p.confirmed;
                }
              }
            } else {
              for (Map.Entry<TopicPartition, OffsetAndMetadata> x : offsets.entrySet()) {
                Progress p = owned.get(x.getKey());
                if (p != null) {
                  p.confirmed = Math.max(p.confirmed, x.getValue().offset());
                }
              }
            }
          });
    }
  }

  /** The acknowledged prefixes that moved, marked as committed (the caller commits them). */
  private static Map<TopicPartition, OffsetAndMetadata> committable(Collection<Progress> progress) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Progress p : progress) {
      long next = p.acked.next();
      if (next > p.committed) {
        offsets.put(p.partition, new OffsetAndMetadata(next));
        p.committed = next;
      }
    }
    return offsets;
  }

  private void commitSync(Collection<Progress> progress) {
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(progress);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      try {
        consumer.commitSync(offsets, settings.closeTimeout());
      } catch (WakeupException e) {
        // close() woke the consumer after the last poll: the wake-up is spent now, commit again.
        consumer.commitSync(offsets, settings.closeTimeout());
      }
      for (Progress p : progress) {
        p.confirmed = p.committed;
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "commit of group '{}' failed; its unfinished events are delivered again: {}",
          groupId,
          e.toString());
    }
  }

  /**
   * Stops delivery, waits (bounded) for the sink to finish what it holds, commits, leaves the
   * group.
   */
  private void shutDown() {
    stopping = true;
    synchronized (lock) {
      buffer.clear();
      lock.notifyAll();
    }
    deliverer.interrupt(); // the sink may be blocked waiting for room
    try {
      deliverer.join(settings.closeTimeout().toMillis());
      if (!crashed) {
        awaitInFlight();
        commitSync(owned.values());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        closeLeavingTheGroup();
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer of group '{}' failed: {}", groupId, e.toString());
      }
      if (state != State.FAILED) {
        state = State.CLOSED;
      }
      Throwable why = failure;
      assigned.completeExceptionally(
          why != null
              ? why
              : new IllegalStateException(
                  "feed of group '" + groupId + "' closed before it was assigned"));
    }
  }

  /**
   * Closes the consumer, which leaves the group (a crash included), so the group rebalances at once
   * rather than after the session timeout: a consumer without a group instance id (Herald sets
   * none) leaves on close. Through {@code close(Duration)}, deprecated since kafka-clients 4.1 for
   * {@code close(CloseOptions)}, which 3.9 lacks: Spring Boot 3.5's dependency management imposes
   * kafka-clients 3.9.1, and this keeps herald-kafka working there as on 4.x.
   */
  @SuppressWarnings("deprecation")
  private void closeLeavingTheGroup() {
    consumer.close(settings.closeTimeout());
  }

  private void awaitInFlight() throws InterruptedException {
    long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    synchronized (lock) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.info(
              "feed of group '{}' closes with {} events unfinished; they are delivered again",
              groupId,
              inFlight.get());
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  /**
   * Records the first failure, logs it and tells the sink; later ones (a consequence) are dropped.
   */
  private void fail(Throwable e) {
    synchronized (lock) {
      if (failure != null) {
        return;
      }
      failure = e;
      state = State.FAILED;
    }
    LOG.error(
        "feed of group '{}' on topics {} failed and stopped; unfinished events are delivered again"
            + " to the next member of the group",
        groupId,
        topics,
        e);
    try {
      sink.failed(e);
    } catch (RuntimeException listenerError) {
      LOG.warn("the sink of group '{}' failed to take the feed's failure", groupId, listenerError);
    }
  }

  /** Runs inside {@code poll}, on the poller thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.debug("group '{}' assigned {}", groupId, partitions);
      for (TopicPartition tp : partitions) {
        long position = consumer.position(tp, settings.closeTimeout());
        owned.put(tp, new Progress(tp, position));
      }
      ownedView = List.copyOf(owned.values());
      boolean pausedNow;
      synchronized (lock) {
        pausedNow = paused;
      }
      if (pausedNow) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty()) {
        settings.assignmentListener().assigned(groupId, partitions);
      }
      assigned.complete(null);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      LOG.debug("group '{}' revoked {}", groupId, partitions);
      List<Progress> revoked = drop(partitions);
      if (!crashed) {
        // Let the records already in a handler's hands finish before the partitions go: the
        // next owner starts from the commit below, and must not work on a partition while
        // this member still does (per-partition order), nor redo what was about to be done.
        awaitHanded(revoked);
        commitSync(revoked);
      }
    }

    /**
     * Waits, up to the close timeout, until no record of {@code revoked} is in a handler's hands.
     */
    private void awaitHanded(List<Progress> revoked) {
      long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
      synchronized (lock) {
        for (Progress p : revoked) {
          while (p.handed.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              LOG.info(
                  "group '{}' gives up {} with {} events unfinished; they are delivered again",
                  groupId,
                  p.partition,
                  p.handed.get());
              break;
            }
            try {
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt(); // closing: commit what is done
              return;
            }
          }
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      LOG.debug("group '{}' lost {}", groupId, partitions);
      drop(partitions);
    }

    private List<Progress> drop(Collection<TopicPartition> partitions) {
      List<Progress> gone = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        Progress p = owned.remove(tp);
        if (p != null) {
          p.revoked = true;
          gone.add(p);
        }
      }
      ownedView = List.copyOf(owned.values());
      synchronized (lock) {
        buffer.removeIf(x -> x.progress.revoked);
      }
      return gone;
    }
  }

  // ------------------------------------------------------------------ deliverer thread

  /**
   * Takes the buffered records a chunk at a time (one lock round per chunk, not per record),
   * decodes the whole chunk, then hands it to the sink. Handing over decoded events back to back
   * lets the subscription's worker, woken by the first, find the rest already queued: one wake-up
   * per chunk rather than one per record when the worker is faster than decoding.
   */
  private void deliver() {
    Pending[] chunk = new Pending[CHUNK];
    Object[] decoded = new Object[CHUNK];
    try {
      while (true) {
        int n;
        synchronized (lock) {
          while (buffer.isEmpty() && !stopping) {
            lock.wait();
          }
          if (stopping) {
            return;
          }
          n = Math.min(buffer.size(), CHUNK);
          for (int i = 0; i < n; i++) {
            chunk[i] = buffer.poll();
          }
          held = n;
        }
        for (int i = 0; i < n; i++) {
          decoded[i] = chunk[i].progress.revoked ? SKIP : decode(chunk[i].record);
        }
        for (int i = 0; i < n; i++) {
          Pending next = chunk[i];
          Object event = decoded[i];
          chunk[i] = null;
          decoded[i] = null;
          if (stopping) {
            return; // closing: what is not handed over yet is fed again later
          }
          inFlight.incrementAndGet();
          // Counted before the revoked check, which pairs with the poller's write of revoked
          // and read of handed: either this record is skipped or the revocation waits for it.
          next.progress.handed.incrementAndGet();
          if (next.progress.revoked) {
            next.forget();
            continue;
          }
          try {
            hand(next, event);
          } catch (InterruptedException e) {
            next.forget(); // refused: the subscription or the feed is closing
            return;
          } catch (RuntimeException e) {
            next.forget(); // never finished, so never committed
            throw e;
          }
        }
        synchronized (lock) {
          held = 0;
          if (paused && hasRoom()) {
            lock.notifyAll(); // the poller waits for room to resume
          }
        }
      }
    } catch (InterruptedException e) {
      // Closing.
    } catch (Throwable e) {
      fail(e);
      stopping = true;
      wakePoller();
    }
  }

  /**
   * What the deliverer hands over for one record: {@link #SKIP} when its type is one the
   * subscription never takes (read from the headers, without decoding), the event, or, when it
   * makes no event, the {@link RuntimeException} that says why.
   */
  private Object decode(ConsumerRecord<byte[], byte[]> record) {
    boolean structured = KafkaRecordDescriptor.isStructured(record);
    String type = structured ? null : descriptor.binaryType(record);
    if (type != null && !sink.wantsType(type)) {
      return SKIP;
    }
    try {
      return descriptor.toEvent(record, structured, subscribed);
    } catch (RuntimeException e) {
      return e;
    }
  }

  /**
   * Hands one decoded record to the sink: skipped, as a placeholder when it made no event, else fed
   * if the filter accepts it.
   */
  private void hand(Pending next, Object decoded) throws InterruptedException {
    if (decoded == SKIP) {
      next.run();
    } else if (decoded instanceof RuntimeException e) {
      sink.undecodable(KafkaRecordDescriptor.placeholder(next.record, e), e, next);
    } else {
      Event<?> event = (Event<?>) decoded;
      if (filter.test(event)) {
        sink.accept(event, next);
      } else {
        next.run();
      }
    }
  }

  // ------------------------------------------------------------------ closing

  /**
   * Stops fetching, waits up to the close timeout for the events the sink holds to be finished,
   * commits what is finished and leaves the group; joins both threads.
   */
  @Override
  public void close() {
    beginClose();
    join();
  }

  /**
   * Tells both threads to stop and returns without waiting: the transport's close tells every feed
   * first, so that their consumers' closing steps (each waiting for an absent broker up to the
   * close timeout) run side by side, then joins each with {@link #close}.
   */
  void beginClose() {
    if (state == State.RUNNING) {
      state = State.CLOSING;
    }
    stopping = true;
    wakePoller();
  }

  /**
   * Stops at once as a crashed process would: commits nothing, waits for nothing; the group
   * reassigns the partitions and their uncommitted records are delivered again. For tests of
   * redelivery.
   */
  void crash() {
    crashed = true;
    close();
  }

  /**
   * Ends the poller's wait, in poll or (while paused) for room, so that it sees {@code stopping}.
   */
  private void wakePoller() {
    consumer.wakeup();
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void join() {
    try {
      long wait = 3 * settings.closeTimeout().toMillis() + 5_000;
      poller.join(wait);
      deliverer.join(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Per owned partition; {@code expected}, {@code committed} and {@code confirmed} are the
   * poller's.
   */
  private static final class Progress {
    final TopicPartition partition;
    final AckedPrefix acked;
    long expected;
    long committed;
    long confirmed;
    // The partition's end offset as the poller last saw it; read by lag() on any thread.
    volatile long end;
    // Set by the poller, read by the deliverer: a revoked partition's records are no longer ours.
    volatile boolean revoked;
    // Records of this partition handed to the sink and not finished: a revocation waits for them.
    final AtomicInteger handed = new AtomicInteger();

    Progress(TopicPartition partition, long position) {
      this.partition = partition;
      this.acked = new AckedPrefix(position);
      this.expected = position;
      this.committed = position;
      this.confirmed = position;
      this.end = position;
    }
  }

  /**
   * One buffered record; the sink's {@code done}, effective once: run (finished, acknowledged) or
   * left behind by the bus's close (never finished: a closing feed does not wait for it, and does
   * not commit it).
   */
  private final class Pending implements Transport.Done, Transport.AsStored {
    final Progress progress;
    final ConsumerRecord<byte[], byte[]> record;

    @SuppressWarnings("unused") // Through FINISHED: one object per record, not two.
    private volatile boolean finished;

    Pending(Progress progress, ConsumerRecord<byte[], byte[]> record) {
      this.progress = Objects.requireNonNull(progress);
      this.record = record;
    }

    @Override
    public void run() {
      if (FINISHED.compareAndSet(this, false, true)) {
        progress.acked.ack(record.offset(), record.offset() + 1);
        leave();
      }
    }

    @Override
    public void leftBehind() {
      forget();
    }

    /** A record that names no class, decoded into the subscription's class: as stored. */
    @Override
    public Event<?> asStored() {
      if (subscribed.forHint(null) == null || KafkaRecordDescriptor.namesClass(record)) {
        return null;
      }
      return descriptor.toEvent(record);
    }

    void forget() {
      if (FINISHED.compareAndSet(this, false, true)) {
        leave();
      }
    }

    private void leave() {
      // A closing feed waits for in-flight records, a revocation for its partitions'. Each
      // decrement and the flag read after it pair with the waiter's write of the flag and read
      // of the count: one side sees the other.
      boolean partitionDone = progress.handed.decrementAndGet() == 0 && progress.revoked;
      if ((inFlight.decrementAndGet() == 0 && stopping) || partitionDone) {
        synchronized (lock) {
          lock.notifyAll();
        }
      }
    }
  }
}
