package dev.herald.log.internal;

import dev.herald.log.FileLayer;
import dev.herald.log.LogLockedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@link FileLayer} over the real file system through {@link FileChannel}. Stateless but for the
 * lock registry.
 */
public enum SystemFileLayer implements FileLayer {
  INSTANCE;

  /**
   * Directories locked by this JVM. {@code FileChannel.tryLock} throws OverlappingFileLockException
   * for a second lock in the same JVM instead of answering, so a second open here is caught first.
   */
  private static final Set<Path> LOCKED_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  @Override
  public FileHandle open(Path file, boolean create) throws IOException {
    FileChannel channel =
        create
            ? FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new ChannelHandle(channel);
  }

  @Override
  public FileHandle openReadOnly(Path file) throws IOException {
    return new ChannelHandle(FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Override
  public boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    // Linux lets a directory be opened read-only and fsynced; that is what makes entries durable.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public Closeable lock(Path dir) throws IOException {
    synchronized (
        LOCKED_IN_THIS_JVM) { // not beside a probe of isLocked, whose close would drop this lock
      return takeLock(dir);
    }
  }

  /**
   * Probes with a shared lock on {@code .lock}, opened read-only and released at once, so a writer
   * that opens the directory during that instant gets {@link LogLockedException}. Answers from this
   * JVM's registry without touching the file when this JVM holds the lock: closing any channel of a
   * locked file releases the process's lock on it (POSIX record locks are per process), which is
   * also why probe and {@link #lock} exclude each other.
   */
  @Override
  public boolean isLocked(Path dir) throws IOException {
    synchronized (LOCKED_IN_THIS_JVM) {
      Path key = dir.toRealPath();
      if (LOCKED_IN_THIS_JVM.contains(key)) {
        return true;
      }
      Path lockFile = key.resolve(".lock");
      if (!Files.exists(lockFile)) {
        return false; // never opened for writing
      }
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
        FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
        if (probe == null) {
          return true;
        }
        probe.release();
        return false;
      }
    }
  }

  private static Closeable takeLock(Path dir) throws IOException {
    Path key = dir.toRealPath();
    if (!LOCKED_IN_THIS_JVM.add(key)) {
      throw new LogLockedException(dir, "this JVM");
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              key.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new LogLockedException(dir, "another process");
      }
      FileChannel held = channel;
      return () -> {
        try {
          held.close(); // releases the lock
        } finally {
          LOCKED_IN_THIS_JVM.remove(key);
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      LOCKED_IN_THIS_JVM.remove(key);
      throw e;
    }
  }

  private static final class ChannelHandle implements FileHandle {
    private final FileChannel channel;

    ChannelHandle(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return channel.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
    }

    @Override
    public void force() throws IOException {
      channel.force(true);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
