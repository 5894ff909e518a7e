package dev.herald.log;

import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.SubscribedClass;
import dev.herald.codec.UndecodableRecord;
import dev.herald.internal.transport.AckedPrefix;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One consumer group's feed: owns the thread {@code herald-log-feed-<group>}, which reads the topic
 * from the group's committed offset, decodes each record (into the class a member's subscription
 * names, when the record names it: {@link SubscribedClass}), and hands it to one of the group's
 * {@link Member}s (the durable subscriptions of that group), whose sink may block: that is
 * backpressure.
 *
 * <p>Members share the work: a record goes to one member among those whose filter takes it (or,
 * when it could not be decoded for them, among those that take its type, to dead-letter it), chosen
 * by its key (by its offset when it has none), so the records of one key reach one member, in
 * order, for as long as the members stay the same. A member joining or leaving is a rebalance, done
 * by the feed thread between two records: it waits until the members that stay have finished what
 * they were handed (a key may move to another member, which must not start on it while its old
 * owner still works on an earlier record of it), then reads again from the acknowledged prefix with
 * the new members, so that what a leaver held unacknowledged is fed again to the others, in order,
 * before anything newer of its keys: at least once, as a consumer group rebalance does. The feed
 * ends when its last member leaves.
 *
 * <p>Acknowledgements arrive on any thread and only advance the {@link AckedPrefix}: the group's
 * offset is committed by the thread {@code herald-log-commit-<group>}, once {@code commitEvery}
 * acknowledgements have accumulated, at least every {@code idleWait} while the prefix moves, and
 * when the feed closes. An acknowledgement never waits for the disk (a commit is an atomic file
 * replace with two fsyncs, and the acknowledging thread is the one delivering the next events). A
 * commit that waited too long for the append barrier is retried by the next one; one that failed
 * (the log failed, the offsets file could not be written) is counted, logged at ERROR, and stops
 * the feed, which tells its members ({@code FeedSink.failed}): a group whose offset cannot move
 * does not go on delivering as if it did. Delivery stays at least once.
 *
 * <p>A commit first waits for {@link Log#appended()}: everything appended before it, in particular
 * the events the group's handlers published while handling what is being committed, is as durable
 * as the flush policy promises before the group's offset moves past their causes. Without that
 * barrier a crash could keep the acknowledgement of an event and lose the effects its handler
 * published, which no redelivery would ever repair.
 */
final class LogFeed {
  // Fully qualified: this file's imports stay as they were.
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.herald.log");

  /**
   * Bounds the wait for the append barrier before a commit; a slower disk just delays the commit.
   */
  private static final long BARRIER_WAIT_SECONDS = 30;

  private final String group;
  private final Log log;
  private final OffsetStore offsets;
  private final EventRecordDescriptor descriptor;
  // The group's members as joins and leaves change it, on any thread.
  private final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();
  // The members records are handed to: the feed thread's, changed only by a rebalance.
  private List<Member> assigned = List.of();
  // Offset -> the member a record was handed to, until acknowledged: what a leaving member held.
  private final ConcurrentHashMap<Long, Member> inFlight = new ConcurrentHashMap<>();
  // The members taking the record in hand, and what each takes (an event, or why there is none);
  // owned
  // by the feed thread, reused from record to record.
  private final List<Member> takers = new ArrayList<>();
  private final List<Object> takersDecoded = new ArrayList<>();
  private final Decodings decodings = new Decodings();
  private final int commitEvery;
  private final Duration idleWait;
  private final AckedPrefix acked;
  // The transport's count of failed commits, all feeds together.
  private final LongAdder commitFailures;
  private final Thread thread;
  private final Thread committer;
  // Written by whichever thread commits; an approximate gate for the every-N rule, not a guarantee.
  private volatile long lastCommitted;
  private volatile boolean stopped;
  private volatile LogReader reader;
  private volatile Throwable failure;
  // Set when a member joined or left: the feed thread rebalances before its next record.
  private volatile boolean rebalance;
  // True while the feed thread waits for the staying members' records: an acknowledgement wakes it.
  private volatile boolean draining;
  // Whether the feed thread is in a sink, where an interrupt may stop its wait; guarded by the
  // lock.
  private final Object interruptLock = new Object();
  private boolean inSink;
  private boolean started; // guarded by the transport, which alone calls join

  LogFeed(
      String group,
      Log log,
      OffsetStore offsets,
      EventRecordDescriptor descriptor,
      int commitEvery,
      Duration idleWait,
      LongAdder commitFailures) {
    this.group = group;
    this.commitFailures = commitFailures;
    this.log = log;
    this.offsets = offsets;
    this.descriptor = descriptor;
    this.commitEvery = commitEvery;
    this.idleWait = idleWait;
    long start = Math.max(offsets.committed(group, log.name()).orElse(0L), log.startOffset());
    this.acked = new AckedPrefix(start);
    this.lastCommitted = start;
    this.thread = new Thread(this::run, "herald-log-feed-" + group);
    thread.setDaemon(true);
    this.committer = new Thread(this::runCommitter, "herald-log-commit-" + group);
    committer.setDaemon(true);
  }

  private void start() {
    started = true;
    thread.start();
    committer.start();
  }

  /**
   * Adds a member (a durable subscription of this group); the first one starts the feed. Called by
   * the transport under its lock.
   *
   * @return the member, which leaves the group when closed; null if the feed is stopping (its last
   *     member left), and takes no member any more
   */
  synchronized Member join(Predicate<Event<?>> filter, Transport.FeedSink sink) {
    if (stopped || failure != null) {
      return null; // its last member left meanwhile: the transport starts a new feed
    }
    Member m =
        new Member(
            filter, sink, SubscribedClass.of(sink.payloadClass(), sink.takesUnnamedPayloads()));
    members.add(m);
    rebalance = true;
    if (!started) {
      start();
    } else {
      LogReader r = reader;
      if (r != null) {
        r.wakeup();
      }
    }
    return m;
  }

  /** Whether the feed still runs for its members (a closed one takes no new member). */
  boolean isOpen() {
    return !stopped && failure == null;
  }

  private void run() {
    long expected = acked.next();
    LogReader r = log.reader(expected);
    reader = r;
    try {
      while (!stopped) {
        if (rebalance) {
          rebalance = false;
          if (!awaitStayingMembers()) {
            continue; // stopped, or another change arrived meanwhile: start over
          }
          // Read again from the prefix, for what leavers held, before anything newer.
          r.close();
          expected = acked.next();
          r = log.reader(expected);
          reader = r;
        }
        Optional<LogRecord> next = r.next(idleWait);
        if (next.isEmpty()) {
          continue;
        }
        LogRecord record = next.get();
        long offset = record.offset();
        if (offset > expected) {
          acked.ack(expected, offset); // retention removed these before this group read them
        }
        expected = offset + 1;
        if (offset < acked.next() || acked.isAcked(offset) || isHeldByMember(offset)) {
          continue; // read again after a member left, but finished or in good hands
        }
        deliver(record, offset);
      }
    } catch (InterruptedException e) {
      // Closing: what is not acknowledged is fed again to the next feed of this group.
    } catch (RuntimeException | Error e) {
      // The log failed under the reader (corruption found in a sealed segment, I/O), or a bug:
      // say so, loudly, rather than let the group go quiet. Unacknowledged events stay stored.
      LOG.error(
          "feed of group '{}' on log '{}' stopped at offset {}", group, log.name(), expected, e);
      failure = e;
      for (Member m : members) {
        m.sink.failed(e);
      }
    } finally {
      r.close();
    }
  }

  /**
   * The rebalance's wait: until every record handed to a member that stays is acknowledged, then
   * the members now in the group become the {@link #assigned} ones. False if the feed stopped, or
   * the members changed again meanwhile (the caller starts over).
   */
  private boolean awaitStayingMembers() {
    List<Member> staying = List.copyOf(members);
    draining = true;
    try {
      while (!stopped && !rebalance && holdsAny(staying)) {
        // Each acknowledgement unparks this thread while draining; the bound is a safety net.
        LockSupport.parkNanos(this, idleWait.toNanos());
      }
    } finally {
      draining = false;
    }
    if (stopped || rebalance) {
      return false;
    }
    assigned = staying;
    return true;
  }

  private static boolean holdsAny(List<Member> staying) {
    for (Member m : staying) {
      if (m.held.get() > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Hands one record to a member, or acknowledges it when none takes it. A member takes the event
   * its filter accepts, or the record as undecodable when it could not be decoded for that member
   * (by the codec, or into the class the member's subscription names).
   */
  private void deliver(LogRecord record, long offset) throws InterruptedException {
    String type = descriptor.type(record);
    decodings.reset(record);
    takers.clear();
    takersDecoded.clear();
    for (Member m : assigned) {
      if (type != null && !m.sink.wantsType(type)) {
        // Neither the event nor its failure to decode concerns this member; a record whose type
        // no member takes is acknowledged without being decoded at all.
        continue;
      }
      Object decoded = decodings.forMember(m);
      if (decoded instanceof RuntimeException || m.filter.test((Event<?>) decoded)) {
        takers.add(m);
        takersDecoded.add(decoded);
      }
    }
    int i = pickIndex(takers.size(), record.key(), offset);
    if (i < 0) {
      ack(offset);
      return;
    }
    Member m = takers.get(i);
    Object decoded = takersDecoded.get(i);
    if (decoded instanceof RuntimeException e) {
      handTo(
          m,
          offset,
          () -> m.sink.undecodable(placeholder(log.name(), record, e), e, () -> ack(offset, m)));
    } else if (decodings.unnamedIntoClass(m)) {
      // Decoded into the subscription's class: its dead letter keeps the record as stored.
      Runnable done = new DoneAsStored(offset, m, record);
      handTo(m, offset, () -> m.sink.accept((Event<?>) decoded, done));
    } else {
      handTo(m, offset, () -> m.sink.accept((Event<?>) decoded, () -> ack(offset, m)));
    }
  }

  /**
   * The {@code done} of a record that names no class, decoded into the class its subscription
   * names: it can give the record's event as stored (see {@link Transport.AsStored}), and holds the
   * record until acknowledged.
   */
  private final class DoneAsStored implements Runnable, Transport.AsStored {
    private final long offset;
    private final Member member;
    private final LogRecord record;

    DoneAsStored(long offset, Member member, LogRecord record) {
      this.offset = offset;
      this.member = member;
      this.record = record;
    }

    @Override
    public void run() {
      ack(offset, member);
    }

    @Override
    public Event<?> asStored() {
      return descriptor.toEvent(record);
    }
  }

  /**
   * One record's decodings: the codec's own, and one into the class a member's subscription names
   * when the record names it, each made once for all the members that share it; an event, or the
   * {@link RuntimeException} saying why there is none. Owned by the feed thread, reused from record
   * to record.
   */
  private final class Decodings {
    private LogRecord record;
    private boolean hintRead;
    private String hint;
    // Decoded-into class (null: as the codec decides) and result, pairwise; most records need one.
    private final List<Class<?>> classes = new ArrayList<>(2);
    private final List<Object> results = new ArrayList<>(2);

    void reset(LogRecord r) {
      record = r;
      hintRead = false;
      hint = null;
      classes.clear();
      results.clear();
    }

    Object forMember(Member m) {
      Class<?> named = namedFor(m);
      for (int i = 0; i < classes.size(); i++) {
        if (classes.get(i) == named) {
          return results.get(i);
        }
      }
      Object result;
      try {
        result = descriptor.toEvent(record, named == null ? SubscribedClass.NONE : m.subscribed);
      } catch (RuntimeException e) {
        result = e;
      }
      classes.add(named);
      results.add(result);
      return result;
    }

    /** Whether the record names no class and decodes into the class {@code m} names. */
    boolean unnamedIntoClass(Member m) {
      return namedFor(m) != null && hint == null;
    }

    /** The class the record decodes into for {@code m}; null when as the codec decides. */
    Class<?> namedFor(Member m) {
      if (m.subscribed.isNone()) {
        return null;
      }
      if (!hintRead) {
        hint = descriptor.typeHint(record);
        hintRead = true;
      }
      return m.subscribed.forHint(hint);
    }
  }

  /**
   * The index of one of {@code candidates} candidates, the same for the same key while the members
   * stay the same; -1 when there is none.
   */
  private static int pickIndex(int candidates, byte[] key, long offset) {
    if (candidates == 0) {
      return -1;
    }
    long h = key == null ? offset : Arrays.hashCode(key);
    return (int) Math.floorMod(h, (long) candidates);
  }

  private interface Handoff {
    void run() throws InterruptedException;
  }

  private void handTo(Member m, long offset, Handoff handoff) throws InterruptedException {
    m.held.incrementAndGet(); // before the record can be acknowledged, which decrements it
    inFlight.put(offset, m);
    synchronized (interruptLock) {
      inSink = true;
    }
    try {
      handoff.run();
    } catch (InterruptedException e) {
      if (stopped) {
        throw e;
      }
      // That member is leaving (its subscription closed): the rewind its leaving causes feeds the
      // record to another.
      Thread.interrupted();
    } finally {
      synchronized (interruptLock) {
        inSink = false;
        // An interrupt meant for the sink must not reach the reader: it would close the log's
        // file channel, shared by every reader and the writer. Closing also sets stopped.
        if (Thread.interrupted() && stopped) {
          throw new InterruptedException("feed closing");
        }
      }
    }
  }

  /**
   * Interrupts the feed thread if it is in a sink (which may wait for room), and only then: an
   * interrupt during a read of the log's file channel would close that channel for every reader.
   */
  private void interruptSink() {
    synchronized (interruptLock) {
      if (inSink) {
        thread.interrupt();
      }
    }
  }

  private boolean isHeldByMember(long offset) {
    Member m = inFlight.get(offset);
    return m != null && assigned.contains(m);
  }

  /**
   * The records in the log after the group's acknowledged prefix, read now (both ends move on other
   * threads, so it is an estimate): the group's lag. Any thread.
   */
  long lag() {
    return Math.max(0, log.endOffset() - acked.next());
  }

  /** Why the feed stopped for good, or null while it runs or after a clean close. */
  Throwable failure() {
    return failure;
  }

  /** The event in {@code record}, or a placeholder event saying why there is none. */
  static Event<?> decode(EventRecordDescriptor descriptor, String topic, LogRecord record) {
    try {
      return descriptor.toEvent(record);
    } catch (RuntimeException e) {
      return placeholder(topic, record, e);
    }
  }

  /**
   * An event standing for a record that could not be decoded: the record's id and type when its
   * headers give valid ones (so the bus dead-letters it for the groups that take that type), else
   * an id naming its position and the type {@value UndecodableRecord#TYPE}; an {@link
   * UndecodableRecord} as data.
   */
  static Event<?> placeholder(String topic, LogRecord record, RuntimeException cause) {
    return UndecodableRecord.of(topic, 0, record.offset(), cause)
        .placeholder(
            headerOrNull(record, CloudEventsBinary.ID),
            headerOrNull(record, CloudEventsBinary.TYPE),
            "undecodable-" + topic + "-" + record.offset(),
            record.timestamp(),
            "/herald/log");
  }

  private static String headerOrNull(LogRecord record, String name) {
    for (Header h : record.headers()) {
      if (h.name().equals(name)) {
        return h.valueAsString();
      }
    }
    return null;
  }

  /** {@code m} finished the record at {@code offset} it was handed (handled or dead-lettered). */
  private void ack(long offset, Member m) {
    inFlight.remove(offset, m); // unless a rebalance has handed it to another member since
    if (m.held.decrementAndGet() == 0 && draining) {
      LockSupport.unpark(thread); // a rebalance waits for the members' records
    }
    ack(offset);
  }

  /** The record at {@code offset} is done with, for this group. */
  private void ack(long offset) {
    long prefix = acked.ack(offset, offset + 1);
    if (prefix - lastCommitted >= commitEvery) {
      LockSupport.unpark(committer); // the committer writes it; this thread goes on delivering
    }
  }

  /** The committer's duty cycle: commit when {@link #ack} wakes it, or after {@code idleWait}. */
  private void runCommitter() {
    long idleNanos = idleWait.toNanos();
    while (!stopped) {
      LockSupport.parkNanos(this, idleNanos);
      if (!stopped) {
        commit();
      }
    }
  }

  /**
   * Commits the acknowledged prefix if it moved; safe from any thread (the store ignores stale
   * ones).
   */
  void commit() {
    long prefix = acked.next();
    if (prefix <= lastCommitted) {
      return;
    }
    try {
      log.appended().get(BARRIER_WAIT_SECONDS, TimeUnit.SECONDS);
      offsets.commit(group, log.name(), prefix);
      lastCommitted = prefix;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing: the close commit covers it
    } catch (TimeoutException e) {
      // A slow disk: the next commit tries again; until then a restart redelivers (at least once).
      commitFailures.increment();
      LOG.warn(
          "commit of group '{}' on log '{}' waited {} s for the log's appends; the next commit"
              + " retries",
          group,
          log.name(),
          BARRIER_WAIT_SECONDS);
    } catch (ExecutionException | RuntimeException e) {
      commitFailed(
          prefix, e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
    }
  }

  /**
   * A commit failed for good (the log failed, the offsets file cannot be written): counted, logged,
   * and, unless the feed is closing anyway, the feed stops and tells its members, rather than
   * deliver on while the group's offset stays where it was. Unacknowledged events stay stored.
   */
  private void commitFailed(long prefix, Throwable cause) {
    commitFailures.increment();
    LOG.error(
        "commit of offset {} for group '{}' on log '{}' failed{}",
        prefix,
        group,
        log.name(),
        stopped ? " while the feed closed" : "; the feed stops",
        cause);
    synchronized (this) {
      if (stopped || failure != null) {
        return;
      }
      failure = cause;
    }
    stopped = true;
    LogReader r = reader;
    if (r != null) {
      r.wakeup();
    }
    if (Thread.currentThread() != thread) {
      interruptSink(); // the sink may be blocked waiting for room
    }
    for (Member m : members) {
      m.sink.failed(cause);
    }
  }

  /** A member leaves; the last one to leave stops the feed. */
  private void leave(Member m) {
    boolean last;
    synchronized (this) { // as join: no member joins a feed that its last member is stopping
      if (!members.remove(m)) {
        return;
      }
      last = members.isEmpty();
      if (last) {
        stopped = true;
      }
    }
    if (last) {
      close();
      return;
    }
    rebalance = true;
    LockSupport.unpark(thread); // it may be waiting for a rebalance that this one replaces
    LogReader r = reader;
    if (r != null) {
      r.wakeup();
    }
  }

  /**
   * Stops the feed thread (waking or interrupting it) and the committer, joins both, and commits
   * the acknowledged prefix.
   */
  void close() {
    stopped = true;
    LogReader r = reader;
    if (r != null) {
      r.wakeup();
    }
    interruptSink(); // the sink may be blocked waiting for room
    LockSupport.unpark(
        committer); // never interrupted: that would close the offsets file mid-commit
    try {
      thread.join(10_000);
      committer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commit();
  }

  /** A durable subscription of this feed's group. Closing it leaves the group. */
  final class Member implements Transport.Feed {
    private final Predicate<Event<?>> filter;
    private final Transport.FeedSink sink;

    /** The class its subscription names, which records naming it decode into. */
    private final SubscribedClass subscribed;

    /** Records handed to this member and not yet acknowledged. */
    private final AtomicInteger held = new AtomicInteger();

    Member(Predicate<Event<?>> filter, Transport.FeedSink sink, SubscribedClass subscribed) {
      this.filter = filter;
      this.sink = sink;
      this.subscribed = subscribed;
    }

    /** The group's lag: every member of the group reads the same log. */
    @Override
    public long lag() {
      return LogFeed.this.lag();
    }

    @Override
    public void close() {
      leave(this);
    }
  }
}
