package dev.herald.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * An output stream that hands each line written to it, decoded as UTF-8 and without its line
 * terminator, to a consumer (a logger): what a library prints becomes log records. A line longer
 * than {@value #MAX_LINE_BYTES} bytes is handed on in pieces of that size; an unfinished line, when
 * the stream is closed (a flush does not end a line). Thread-safe: writes are serialised.
 */
final class LoggedLines extends OutputStream {
  static final int MAX_LINE_BYTES = 8 << 10;

  private final Consumer<String> lines;
  // Guarded by this.
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LoggedLines(Consumer<String> lines) {
    this.lines = lines;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
      return;
    }
    line.write(b);
    if (line.size() >= MAX_LINE_BYTES) {
      emit();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  /** Hands on the line begun, if any. */
  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      emit();
    }
  }

  private void emit() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    lines.accept(text);
  }
}
