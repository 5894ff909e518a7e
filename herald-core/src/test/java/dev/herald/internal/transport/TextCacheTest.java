package dev.herald.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TextCacheTest {
  // Two slots: almost every lookup collides with another text, the case that must still be right.
  private final TextCache tiny = new TextCache(2);

  @Property
  void givesWhatDecodingGives(@ForAll @Size(max = 200) List<byte[]> texts) {
    for (int round = 0; round < 2; round++) {
      for (byte[] t : texts) {
        assertThat(tiny.text(t)).isEqualTo(new String(t, StandardCharsets.UTF_8));
      }
    }
  }

  @Property
  void readsASliceOfAnArrayOrABuffer(
      @ForAll @Size(max = 300) byte[] bytes, @ForAll int from, @ForAll int length) {
    int offset = bytes.length == 0 ? 0 : Math.floorMod(from, bytes.length);
    int n = bytes.length == 0 ? 0 : Math.floorMod(length, bytes.length - offset + 1);
    String expected = new String(bytes, offset, n, StandardCharsets.UTF_8);
    assertThat(tiny.text(bytes, offset, n)).isEqualTo(expected);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes);
    assertThat(tiny.text(direct, offset, n)).isEqualTo(expected);
    ByteBuffer heapSlice =
        ByteBuffer.wrap(new byte[bytes.length + 3], 3, bytes.length).slice().put(bytes);
    assertThat(tiny.text(heapSlice, offset, n)).isEqualTo(expected);
  }

  @Test
  void aRepeatedTextIsTheSameStringAndTheCallersBytesAreNotKept() {
    TextCache cache = new TextCache(64);
    byte[] type = "order.placed".getBytes(StandardCharsets.UTF_8);
    String first = cache.text(type);
    type[0] = 'X'; // the caller reuses its buffer
    assertThat(cache.text("order.placed".getBytes(StandardCharsets.UTF_8))).isSameAs(first);
    assertThat(cache.text(type)).isEqualTo("Xrder.placed");
  }

  @Test
  void theHeaderNamesOfARecordAllStayCached() {
    // What a feed reads for every record: after the first record, every name is a hit.
    TextCache cache = new TextCache(64);
    List<String> names =
        List.of(
            "ce_id",
            "ce_source",
            "ce_specversion",
            "ce_type",
            "ce_time",
            "ce_subject",
            "ce_correlationid",
            "ce_traceparent",
            "content-type",
            "herald_class",
            "herald_dl_cause_type",
            "herald_dl_event_type");
    List<String> first = new ArrayList<>();
    for (String n : names) {
      first.add(cache.text(n.getBytes(StandardCharsets.UTF_8)));
    }
    for (int i = 0; i < names.size(); i++) {
      assertThat(cache.text(names.get(i).getBytes(StandardCharsets.UTF_8))).isSameAs(first.get(i));
    }
  }

  @Test
  void longTextsAreDecodedEachTime() {
    TextCache cache = new TextCache(64);
    byte[] big = "x".repeat(TextCache.MAX_CACHED_BYTES + 1).getBytes(StandardCharsets.UTF_8);
    assertThat(cache.text(big))
        .isEqualTo(new String(big, StandardCharsets.UTF_8))
        .isNotSameAs(cache.text(big));
  }

  @Test
  void slotsMustBeAPowerOfTwo() {
    assertThatThrownBy(() -> new TextCache(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TextCache(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void threadsSharingCollidingSlotsAlwaysGetTheirOwnText() throws Exception {
    List<byte[]> texts = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      texts.add(("type-" + i + "-é").getBytes(StandardCharsets.UTF_8));
    }
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int checked = 0;
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int i = 0; i < 200_000; i++) {
                    byte[] t1 = texts.get(random.nextInt(texts.size()));
                    if (!tiny.text(t1).equals(new String(t1, StandardCharsets.UTF_8))) {
                      throw new AssertionError(
                          "wrong text for " + new String(t1, StandardCharsets.UTF_8));
                    }
                    checked++;
                  }
                  return checked;
                }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
