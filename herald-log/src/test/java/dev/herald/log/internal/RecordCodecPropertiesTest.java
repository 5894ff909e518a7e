package dev.herald.log.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.log.Header;
import dev.herald.log.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class RecordCodecPropertiesTest {

  static LogRecord record(long ts, byte[] key, List<String> names, byte[] payload) {
    List<Header> headers = new ArrayList<>();
    for (String n : names) {
      headers.add(Header.of(n, n + "-value"));
    }
    return LogRecord.of(ts, key, headers, payload);
  }

  @Property(tries = 200)
  void encodeThenDecodeIsIdentity(
      @ForAll @IntRange(min = 0) int ts,
      @ForAll @Size(max = 40) byte[] key,
      @ForAll boolean nullKey,
      @ForAll @Size(max = 4) List<@StringLength(max = 10) String> names,
      @ForAll @Size(max = 300) byte[] payload,
      @ForAll @IntRange(min = 0) int offset)
      throws Exception {
    LogRecord r = record(ts, nullKey ? null : key, names, payload);
    int size = RecordCodec.encodedSize(r);
    ByteBuffer b = ByteBuffer.allocate(size + 7);
    b.position(7);
    RecordCodec.encode(r, offset, ts, b);
    assertThat(b.position()).isEqualTo(size + 7);
    assertThat(RecordDescriptor.recordSizeFor(b.getInt(7 + RecordDescriptor.LENGTH_OFFSET)))
        .isEqualTo(size);
    assertThat(RecordCodec.decode(b, 7, size)).isEqualTo(r.withOffset(offset));
  }

  @Property(tries = 100)
  void everySingleBitFlipIsDetected(
      @ForAll @Size(max = 20) byte[] key,
      @ForAll @Size(max = 3) List<@StringLength(max = 6) String> names,
      @ForAll @Size(max = 64) byte[] payload,
      @ForAll @IntRange(max = 7) int bit) {
    LogRecord r = record(123L, key, names, payload);
    int size = RecordCodec.encodedSize(r);
    ByteBuffer clean = ByteBuffer.allocate(size);
    RecordCodec.encode(r, 9, 123L, clean);
    for (int pos = 0; pos < size; pos++) {
      ByteBuffer damaged = ByteBuffer.wrap(clean.array().clone());
      damaged.put(pos, (byte) (damaged.get(pos) ^ (1 << bit)));
      assertThatThrownBy(() -> RecordCodec.decode(damaged, 0, size))
          .isInstanceOf(RecordCodec.BadRecordException.class);
    }
  }
}
