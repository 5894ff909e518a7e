package dev.herald.log;

import java.nio.file.Path;

/**
 * Stored data failed validation where the log cannot repair it silently: a bad record inside a
 * sealed segment, below the recovery point, or followed by intact records; offsets missing between
 * segments or below the recovery point (a deleted segment file); a corrupt or missing offsets file.
 * Names the file and the byte position; never thrown for a torn tail of a segment not yet forced
 * (the active one, or one rolled away from whose fsync the power loss beat), which recovery
 * truncates and reports instead. {@link LogDirectory#repair} deals with each and reports what it
 * dropped.
 */
public final class LogCorruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long position;

  public LogCorruptedException(Path file, long position, String reason) {
    super("corrupt data in " + file + " at byte " + position + ": " + reason);
    this.file = file;
    this.position = position;
  }

  public Path file() {
    return file;
  }

  public long position() {
    return position;
  }
}
