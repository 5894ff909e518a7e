package dev.herald.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates UUID version 7 event ids (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
 * Ids sort by creation time to the millisecond. Thread-safe and lock-free: each thread draws from
 * its own random source, so concurrent publishers share no cache line.
 */
public final class EventIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private EventIds() {}

  /** The high 64 bits: timestamp, version 7, 12 random bits. */
  public static long high(long epochMillis) {
    long rand12 = ThreadLocalRandom.current().nextInt() & 0xFFFL;
    return (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | rand12;
  }

  /** The low 64 bits: variant {@code 10} and 62 random bits. */
  public static long low() {
    return ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
  }

  /** The canonical 36-character form, {@code 8-4-4-4-12} lowercase hex digits. */
  public static String render(long high, long low) {
    char[] c = new char[36];
    hex(c, 0, high >>> 32, 8);
    c[8] = '-';
    hex(c, 9, high >>> 16, 4);
    c[13] = '-';
    hex(c, 14, high, 4);
    c[18] = '-';
    hex(c, 19, low >>> 48, 4);
    c[23] = '-';
    hex(c, 24, low, 12);
    return new String(c);
  }

  private static void hex(char[] out, int at, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
