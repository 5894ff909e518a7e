package dev.herald.log.internal;

/**
 * How a segment's files are named: the one place that writes a segment file name or reads a base
 * offset back from one. The three files of a segment share its base offset (the offset of its first
 * record), 20 ASCII digits zero padded so that names sort as offsets do, and differ by suffix:
 *
 * <pre>
 *   00000000000000001234.log        records from offset 1234 (RecordDescriptor)
 *   00000000000000001234.index      sparse offset index (IndexDescriptor)
 *   00000000000000001234.timeindex  sparse time index (IndexDescriptor)
 * </pre>
 *
 * The other files of a topic directory ({@code recovery-point}, {@code dropped-offsets}, {@code
 * *.tmp}) never end in {@code .log}; a {@code .log} file whose name is not 20 digits is not a
 * segment, and each reader decides what that means (recovery refuses it, verify reports it, a
 * read-only reader skips it).
 */
final class SegmentFileName {
  static final String LOG = ".log";
  static final String INDEX = ".index";
  static final String TIME_INDEX = ".timeindex";
  static final int DIGITS = 20;

  /** What {@link #baseOffset} answers for a name that is not a segment's {@code .log} file. */
  static final long NOT_A_SEGMENT = -1;

  private SegmentFileName() {}

  /** The name of the {@code suffix} file of the segment that starts at {@code baseOffset}. */
  static String of(long baseOffset, String suffix) {
    if (baseOffset < 0) {
      throw new IllegalArgumentException("negative base offset " + baseOffset);
    }
    // Not String.format("%020d"): it writes the default locale's digits, which are not ASCII
    // everywhere.
    String digits = Long.toString(baseOffset);
    return "0".repeat(DIGITS - digits.length()) + digits + suffix;
  }

  /** Whether {@code fileName} ends like a segment's record file, well named or not. */
  static boolean isLog(String fileName) {
    return fileName.endsWith(LOG);
  }

  /**
   * The base offset a segment's {@code .log} file name gives, or {@link #NOT_A_SEGMENT} when the
   * name is not 20 ASCII digits and {@code .log}, or its digits exceed any offset (above {@link
   * Long#MAX_VALUE}).
   */
  static long baseOffset(String fileName) {
    if (fileName.length() != DIGITS + LOG.length() || !isLog(fileName)) {
      return NOT_A_SEGMENT;
    }
    long base = 0;
    for (int i = 0; i < DIGITS; i++) {
      char c = fileName.charAt(i);
      if (c < '0' || c > '9') {
        return NOT_A_SEGMENT;
      }
      int digit = c - '0';
      if (base > (Long.MAX_VALUE - digit) / 10) {
        return NOT_A_SEGMENT;
      }
      base = base * 10 + digit;
    }
    return base;
  }
}
