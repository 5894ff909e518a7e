package dev.herald.log.internal;

import dev.herald.log.FileLayer;
import dev.herald.log.FileLayer.FileHandle;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Loops around partial positional reads and writes, and replaces small files atomically. */
final class FileIo {
  private FileIo() {}

  static void writeFully(FileHandle h, ByteBuffer src, long position) throws IOException {
    long p = position;
    while (src.hasRemaining()) {
      int n = h.write(src, p);
      p += n;
    }
  }

  /** Fills {@code dst}; returns false when end of file came first. */
  static boolean readFully(FileHandle h, ByteBuffer dst, long position) throws IOException {
    long p = position;
    while (dst.hasRemaining()) {
      int n = h.read(dst, p);
      if (n < 0) {
        return false;
      }
      p += n;
    }
    return true;
  }

  static byte[] readAll(FileLayer files, Path file) throws IOException {
    try (FileHandle h = files.openReadOnly(file)) {
      long size = h.size();
      if (size > 16 * 1024 * 1024) {
        throw new IOException(file + " is unexpectedly large: " + size + " bytes");
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      if (!readFully(h, b, 0)) {
        throw new EOFException(file.toString());
      }
      return b.array();
    }
  }

  /**
   * Temp file, fsync, atomic rename over {@code target}, directory fsync: readers see old or new,
   * whole.
   */
  static void replaceAtomically(FileLayer files, Path target, ByteBuffer content)
      throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    files.deleteIfExists(tmp);
    try (FileHandle h = files.open(tmp, true)) {
      writeFully(h, content, 0);
      h.force();
    }
    files.move(tmp, target);
    files.forceDirectory(target.getParent());
  }
}
