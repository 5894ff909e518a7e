package dev.herald.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation the log performs, so tests can inject faults (failed writes, a full disk,
 * failed fsyncs) or simulate power loss. The default, {@link #system()}, maps each call onto {@code
 * FileChannel} and {@code Files}. Implementations must be safe to call from any thread.
 */
public interface FileLayer {

  /** Opens {@code file} for reading and writing, creating it when {@code create} is true. */
  FileHandle open(Path file, boolean create) throws IOException;

  /**
   * Opens an existing {@code file} for reading only: the read-only tools ({@link LogFiles}) use it,
   * so they work on files they may not write and cannot write by mistake. The default opens it as
   * {@link #open open(file, false)} does.
   */
  default FileHandle openReadOnly(Path file) throws IOException {
    return open(file, false);
  }

  boolean exists(Path path);

  /** The entries of {@code dir} (files and directories), in no particular order. */
  List<Path> list(Path dir) throws IOException;

  boolean isDirectory(Path path);

  void createDirectories(Path dir) throws IOException;

  /** Atomically renames {@code from} to {@code to}, replacing {@code to}. */
  void move(Path from, Path to) throws IOException;

  /** Deletes {@code path} if it exists. */
  void deleteIfExists(Path path) throws IOException;

  /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
  void forceDirectory(Path dir) throws IOException;

  /**
   * Takes the exclusive lock of {@code dir} for this process, or throws {@link LogLockedException}
   * when another process, or another open in this JVM, holds it. Closing the result releases it.
   */
  Closeable lock(Path dir) throws IOException;

  /**
   * True when a process, this JVM included, holds the lock of {@code dir} that {@link #lock} takes.
   * Writes nothing; an implementation may hold a shared lock for the instant of its probe, as the
   * system one does (see {@link LogFiles#isInUse}). The default answers false: a layer that cannot
   * tell says "not in use".
   */
  default boolean isLocked(Path dir) throws IOException {
    return false;
  }

  /** One open file. Positional reads and writes; not safe for concurrent writers. */
  interface FileHandle extends Closeable {
    /** Writes some bytes of {@code src} at {@code position}; returns how many. */
    int write(ByteBuffer src, long position) throws IOException;

    /** Reads into {@code dst} from {@code position}; returns how many, or -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /** Forces written data to stable storage (fsync). */
    void force() throws IOException;
  }

  /** The real file system. */
  static FileLayer system() {
    return dev.herald.log.internal.SystemFileLayer.INSTANCE;
  }
}
