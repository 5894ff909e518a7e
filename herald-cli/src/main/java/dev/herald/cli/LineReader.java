package dev.herald.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines (ended by LF, CRLF or CR-less end of input) of at most {@code maxBytes} each
 * from a stream, so that no input can make the reader grow without bound. Owned by one thread.
 */
final class LineReader {
  private final InputStream in;
  private final int maxBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private long lineNumber;

  LineReader(InputStream in, int maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /**
   * The next line without its ending, or null at the end of the input.
   *
   * @throws LineTooLongException if the line is longer than the limit
   */
  String next() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return take();
      }
      if (line.size() == maxBytes) {
        throw new LineTooLongException(
            "line " + (lineNumber + 1) + " is longer than " + maxBytes + " bytes");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : take();
  }

  /** The number of the line {@link #next} returned last, from 1. */
  long lineNumber() {
    return lineNumber;
  }

  private String take() {
    lineNumber++;
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  /** A line over the limit. */
  static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(String message) {
      super(message);
    }
  }
}
