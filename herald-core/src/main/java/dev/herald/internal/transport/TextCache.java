package dev.herald.internal.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 texts that repeat from record to record (header names, event types, sources,
 * content types) to the same {@link String} each time, instead of a new byte array and string per
 * record: a feed reads ten of them for every event it decodes, and at tens of thousands of events a
 * second that garbage alone fills the young generation every second. Only for texts that repeat: a
 * unique text (an id, a time) costs a cache entry and evicts a useful one.
 *
 * <p>Bounded: {@code slots} entries at most. A text may sit in one of two slots picked by its hash,
 * so two hot texts that share one slot do not evict each other on every lookup; when both are
 * taken, the new text replaces the entry in its first slot. Any thread: entries are immutable
 * (final fields), so a racy read sees one whole entry or null, and two threads storing into one
 * slot just leave one of their entries; either way the answer is right.
 */
public final class TextCache {
  /** Longer texts are decoded each time: comparing them costs as much as decoding. */
  static final int MAX_CACHED_BYTES = 128;

  private record Entry(byte[] bytes, int hash, String text) {}

  private final Entry[] slots;
  private final int mask;

  /**
   * @param slots a power of two
   */
  public TextCache(int slots) {
    if (slots <= 0 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two, was " + slots);
    }
    this.slots = new Entry[slots];
    this.mask = slots - 1;
  }

  /** The text of the UTF-8 bytes {@code utf8} (not modified, not kept). */
  public String text(byte[] utf8) {
    return text(utf8, 0, utf8.length);
  }

  /** The text of the UTF-8 bytes {@code utf8[offset, offset + length)} (not modified, not kept). */
  public String text(byte[] utf8, int offset, int length) {
    if (length > MAX_CACHED_BYTES) {
      return new String(utf8, offset, length, StandardCharsets.UTF_8);
    }
    int hash = 1;
    for (int i = offset; i < offset + length; i++) {
      hash = 31 * hash + utf8[i];
    }
    int mixed = mix(hash);
    int first = mixed & mask;
    int second = (mixed >>> 16) & mask;
    Entry a = slots[first];
    if (matches(a, hash, utf8, offset, length)) {
      return a.text;
    }
    Entry b = slots[second];
    if (matches(b, hash, utf8, offset, length)) {
      return b.text;
    }
    byte[] copy = Arrays.copyOfRange(utf8, offset, offset + length);
    String text = new String(copy, StandardCharsets.UTF_8);
    slots[a != null && b == null ? second : first] = new Entry(copy, hash, text);
    return text;
  }

  private static boolean matches(Entry e, int hash, byte[] utf8, int offset, int length) {
    return e != null
        && e.hash == hash
        && e.bytes.length == length
        && Arrays.equals(e.bytes, 0, length, utf8, offset, offset + length);
  }

  /**
   * The text of the UTF-8 bytes {@code buffer[offset, offset + length)}, read by absolute index;
   * the buffer's position and limit are not used or changed.
   */
  public String text(ByteBuffer buffer, int offset, int length) {
    if (buffer.hasArray()) {
      return text(buffer.array(), buffer.arrayOffset() + offset, length);
    }
    byte[] copy = new byte[length];
    buffer.get(offset, copy);
    return text(copy, 0, length);
  }

  /** MurmurHash3's finaliser: every input bit moves both slot indexes. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }
}
