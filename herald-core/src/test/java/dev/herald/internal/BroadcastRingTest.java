package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The ring on its own, members read on threads of their own (the bus reads each on its lane): every
 * member sees every entry meant for it once, in each publisher's order, under contention; room is
 * the slowest live reader's; a member that left stops at its end and holds nothing back.
 */
class BroadcastRingTest {
  private static final int PUBLISHERS = 3;
  private static final int PER_PUBLISHER = 200_000;

  /** What a publisher writes: which publisher, and its count. */
  private record Item(int publisher, int n) {}

  /** A new member of {@code ring}, joined at its tail, with no lane (the test polls it). */
  private static BroadcastRing.Member joined(BroadcastRing ring) {
    BroadcastRing.Member m = ring.newMember();
    ring.join(m, null);
    return m;
  }

  @Test
  void everyMemberReadsEveryEntryOnceInEachPublishersOrder() throws Exception {
    everyMemberReadsEveryEntryOnceInOrder(64, 4, 1); // small: publishers wait on the readers often
  }

  /** As a batch publish claims them: runs of 1 to 9 entries at once, beside other publishers'. */
  @Test
  void entriesClaimedARunAtATimeAreReadOnceInEachPublishersOrder() throws Exception {
    everyMemberReadsEveryEntryOnceInOrder(64, 4, 9);
  }

  /**
   * The only member of a ring keeps a few entries behind publishers that write fast (see {@link
   * BroadcastRing.Member#KEEP_BEHIND}), and reads right behind them when they slow down: it still
   * reads every entry once, in order. The ring is large enough for the reader to be close behind.
   */
  @Test
  void aLoneMemberKeepingBehindItsPublishersReadsEveryEntryOnceInOrder() throws Exception {
    everyMemberReadsEveryEntryOnceInOrder(1024, 1, 1);
    everyMemberReadsEveryEntryOnceInOrder(1024, 1, 9);
  }

  /** Publishers claim runs of 1 to {@code maxRun} entries (a different length each time). */
  private void everyMemberReadsEveryEntryOnceInOrder(int capacity, int members, int maxRun)
      throws Exception {
    BroadcastRing ring = new BroadcastRing(capacity);
    List<BroadcastRing.Member> ms = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      ms.add(joined(ring));
    }
    long all = (1L << members) - 1;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    long[][] lastSeen = new long[members][PUBLISHERS];
    long[] counts = new long[members];
    for (int i = 0; i < members; i++) {
      int id = i;
      BroadcastRing.Member m = ms.get(i);
      threads.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  long[] last = lastSeen[id];
                  java.util.Arrays.fill(last, -1);
                  long want = (long) PUBLISHERS * PER_PUBLISHER;
                  while (counts[id] < want) {
                    Object o = m.poll();
                    if (o == null) {
                      Thread.yield(); // more threads than cores: let a publisher run
                      continue;
                    }
                    Item item = (Item) o;
                    if (item.n() != last[item.publisher()] + 1) {
                      throw new AssertionError(
                          "member " + id + " read " + item + " after " + last[item.publisher()]);
                    }
                    last[item.publisher()] = item.n();
                    counts[id]++;
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              }));
    }
    for (int p = 0; p < PUBLISHERS; p++) {
      int id = p;
      threads.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int n = 0; n < PER_PUBLISHER; ) {
                    int run = Math.min(PER_PUBLISHER - n, 1 + (n + id) % maxRun);
                    long seq;
                    while ((seq = ring.tryClaim(run)) < 0) {
                      Thread.yield();
                    }
                    for (int k = 0; k < run; k++, n++) {
                      ring.publish(seq + k, new Item(id, n), all);
                    }
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join(120_000);
      assertThat(t.isAlive())
          .as("a thread still runs; read: %s", java.util.Arrays.toString(counts))
          .isFalse();
    }
    assertThat(failure.get()).isNull();
    for (int i = 0; i < members; i++) {
      assertThat(counts[i]).isEqualTo((long) PUBLISHERS * PER_PUBLISHER);
      assertThat(ms.get(i).poll()).isNull();
      assertThat(ms.get(i).isEmpty()).isTrue();
    }
  }

  @Test
  void roomIsTheSlowestLiveReadersAndAMemberSkipsWhatIsNotForIt() {
    BroadcastRing ring = new BroadcastRing(4);
    BroadcastRing.Member fast = joined(ring);
    BroadcastRing.Member slow = joined(ring);
    long both = 0b11;
    for (int i = 0; i < 4; i++) {
      ring.publish(ring.tryClaim(), "e" + i, i == 1 ? 0b01 : both);
    }
    assertThat(ring.tryClaim()).as("full: nobody read").isEqualTo(-1);
    assertThat(fast.poll()).isEqualTo("e0");
    assertThat(fast.poll()).isEqualTo("e1");
    assertThat(fast.poll()).isEqualTo("e2");
    assertThat(fast.poll()).isEqualTo("e3");
    assertThat(fast.poll()).isNull();
    assertThat(ring.tryClaim()).as("still full: the slow reader holds it back").isEqualTo(-1);
    assertThat(slow.isFull()).isTrue();
    assertThat(slow.size()).isEqualTo(4);
    assertThat(slow.poll()).isEqualTo("e0");
    assertThat(slow.poll()).as("e1 is not for it").isEqualTo("e2");
    assertThat(slow.offered()).isEqualTo(2 + 1);
    long seq = ring.tryClaim();
    assertThat(seq).isEqualTo(4);
    ring.publish(seq, new Object[] {"for-fast", "for-slow"}, both);
    assertThat(fast.poll()).isEqualTo("for-fast");
    assertThat(slow.poll()).isEqualTo("e3");
    assertThat(slow.poll()).isEqualTo("for-slow");
  }

  @Test
  void aRunIsClaimedOnlyWhenThereIsRoomForAllOfIt() {
    BroadcastRing ring = new BroadcastRing(4);
    BroadcastRing.Member m = joined(ring);
    assertThat(ring.tryClaim(3)).isZero();
    assertThat(ring.tryClaim(2)).as("room for one only").isEqualTo(-1);
    assertThat(ring.tryClaim(1)).isEqualTo(3);
    for (int i = 0; i < 4; i++) {
      ring.publish(i, "e" + i, 1);
    }
    assertThat(ring.tryClaim(1)).as("full").isEqualTo(-1);
    assertThat(m.poll()).isEqualTo("e0");
    assertThat(m.poll()).isEqualTo("e1");
    assertThat(ring.tryClaim(3)).as("room for two only").isEqualTo(-1);
    assertThat(ring.tryClaim(2)).isEqualTo(4);
    ring.publish(4, "e4", 1);
    ring.publish(5, "e5", 1);
    assertThat(m.poll()).isEqualTo("e2");
    assertThat(m.poll()).isEqualTo("e3");
    assertThat(m.poll()).isEqualTo("e4");
    assertThat(m.poll()).isEqualTo("e5");
    assertThat(m.poll()).isNull();
  }

  @Test
  void aSharedRingLetsGoOfWhatEveryMemberReadOnceOneFindsItDrained() {
    BroadcastRing ring = new BroadcastRing(8);
    BroadcastRing.Member fast = joined(ring);
    BroadcastRing.Member slow = joined(ring);
    for (int i = 0; i < 3; i++) {
      ring.publish(ring.tryClaim(), "e" + i, 0b11);
    }
    assertThat(fast.poll()).isEqualTo("e0");
    assertThat(fast.poll()).isEqualTo("e1");
    assertThat(fast.poll()).isEqualTo("e2");
    assertThat(fast.poll()).as("drained: sweeps up to the slow cursor").isNull();
    assertThat(ring.itemsHeld()).as("the slow member has read none").isEqualTo(3);
    assertThat(slow.poll()).isEqualTo("e0");
    assertThat(fast.poll()).isNull();
    assertThat(ring.itemsHeld()).as("e0 read by both, let go").isEqualTo(2);
    assertThat(slow.poll()).isEqualTo("e1");
    assertThat(slow.poll()).isEqualTo("e2");
    assertThat(slow.poll()).isNull();
    assertThat(ring.itemsHeld()).as("both drained").isZero();
    for (int i = 3; i < 20; i++) { // laps: the publisher's sweeps and the readers' agree
      ring.publish(ring.tryClaim(), "e" + i, 0b11);
      assertThat(fast.poll()).isEqualTo("e" + i);
      assertThat(slow.poll()).isEqualTo("e" + i);
    }
    assertThat(slow.poll()).isNull();
    assertThat(ring.itemsHeld()).isZero();
  }

  /**
   * A lone reader that took a long run of entries keeps behind the publishers only while they
   * write: once they stopped, it reads up to the last entry, and then finds nothing.
   */
  @Test
  void aLoneReaderCloseBehindStoppedPublishersReadsToTheLastEntry() {
    BroadcastRing ring = new BroadcastRing(1024);
    BroadcastRing.Member m = joined(ring);
    int entries = BroadcastRing.Member.KEEP_BEHIND_AFTER + 3 * BroadcastRing.Member.KEEP_BEHIND;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < entries; i++) {
        ring.publish(ring.tryClaim(), round * entries + i, m.bitMask);
      }
      for (int i = 0; i < entries; i++) {
        assertThat(m.poll()).isEqualTo(round * entries + i);
      }
      assertThat(m.poll()).isNull();
    }
  }

  @Test
  void aRingOfOneMemberLetsGoOfEachEntryAsItIsTaken() {
    BroadcastRing ring = new BroadcastRing(4);
    BroadcastRing.Member only = joined(ring);
    ring.publish(ring.tryClaim(), "a", 0b01);
    ring.publish(ring.tryClaim(), "b", 0b01);
    assertThat(only.poll()).isEqualTo("a");
    assertThat(ring.itemsHeld()).isEqualTo(1);
    assertThat(only.poll()).isEqualTo("b");
    assertThat(ring.itemsHeld()).isZero();
  }

  @Test
  void aMemberThatLeftReadsUpToItsEndThenHoldsNothingBack() {
    BroadcastRing ring = new BroadcastRing(2);
    BroadcastRing.Member stays = joined(ring);
    BroadcastRing.Member leaves = joined(ring);
    ring.publish(ring.tryClaim(), "a", 0b11);
    long departures = ring.departures;
    ring.leave(leaves);
    assertThat(ring.departures).isEqualTo(departures + 1);
    assertThat(ring.isDeserted()).isFalse();
    ring.publish(ring.tryClaim(), "b", 0b01);
    assertThat(ring.tryClaim()).as("neither member has read a yet").isEqualTo(-1);
    assertThat(leaves.poll()).isEqualTo("a");
    assertThat(leaves.poll()).as("b came after its end").isNull();
    assertThat(leaves.isEmpty()).isTrue();
    assertThat(leaves.isFinished()).isTrue();
    assertThat(stays.poll()).isEqualTo("a");
    assertThat(stays.poll()).isEqualTo("b");
    for (int i = 0; i < 10; i++) {
      long seq = ring.tryClaim();
      assertThat(seq).as("only the live reader counts").isNotNegative();
      ring.publish(seq, "c" + i, 0b01);
      assertThat(stays.poll()).isEqualTo("c" + i);
    }
    assertThat(ring.holdingBack()).isNull();
  }

  @Test
  void aMemberJoinsAtTheTailAndBitsAreNeverReused() {
    BroadcastRing ring = new BroadcastRing(8);
    BroadcastRing.Member first = joined(ring);
    ring.publish(ring.tryClaim(), "before", 0b01);
    BroadcastRing.Member late = joined(ring);
    ring.publish(ring.tryClaim(), "after", 0b11);
    assertThat(late.poll()).isEqualTo("after");
    assertThat(first.poll()).isEqualTo("before");
    ring.leave(late);
    for (int i = 2; i < BroadcastRing.MAX_MEMBERS; i++) {
      assertThat(ring.newMember().bit).isEqualTo(i);
    }
    assertThat(ring.isSealed()).isTrue();
    assertThatThrownBy(ring::newMember).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void nothingIsOfferedToAMember() {
    BroadcastRing.Member m = new BroadcastRing(2).newMember();
    assertThatThrownBy(() -> m.offer("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("written through its ring");
  }
}
