package dev.herald.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * An in-memory {@link FileLayer} that models what survives power loss: file contents survive up to
 * the last {@code force()}, and directory entries (creations, renames, deletions) only once the
 * directory is forced. {@link #powerLoss(Random)} freezes this layer (every later call throws) and
 * returns the layer a machine would boot with. All methods are serialised on this object, so a
 * power loss is atomic with respect to I/O.
 */
final class MemoryFileLayer implements FileLayer {

  private static final class Node {
    byte[] data = new byte[0];
    int size;
    byte[] durable = new byte[0];
  }

  private final Map<Path, Node> entries = new HashMap<>();
  private final Map<Path, Node> durableEntries = new HashMap<>();
  private final Set<Path> dirs = new HashSet<>();
  private final Set<Path> locks = new HashSet<>();
  private boolean dead;

  private void check() throws IOException {
    if (dead) {
      throw new IOException("power lost");
    }
  }

  /**
   * Simulates power loss. The returned layer holds what was durable; when {@code torn} is non-null
   * each file also keeps a random prefix of its unforced appended bytes, as a disk may have written
   * some pages.
   */
  synchronized MemoryFileLayer powerLoss(Random torn) {
    dead = true;
    MemoryFileLayer after = new MemoryFileLayer();
    after.dirs.addAll(dirs);
    for (Map.Entry<Path, Node> e : durableEntries.entrySet()) {
      Node old = e.getValue();
      Node n = new Node();
      byte[] kept = old.durable;
      if (torn != null && old.size > kept.length && startsWith(old.data, kept)) {
        int extra = torn.nextInt(old.size - kept.length + 1);
        kept = Arrays.copyOf(old.data, kept.length + extra);
      }
      n.data = kept.clone();
      n.size = kept.length;
      n.durable = kept.clone();
      after.entries.put(e.getKey(), n);
      after.durableEntries.put(e.getKey(), n);
    }
    return after;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Current bytes of {@code file}, for tests that corrupt or inspect files. */
  synchronized byte[] contents(Path file) {
    Node n = entries.get(file);
    return n == null ? null : Arrays.copyOf(n.data, n.size);
  }

  @Override
  public synchronized FileHandle open(Path file, boolean create) throws IOException {
    check();
    Node n = entries.get(file);
    if (n == null) {
      if (!create) {
        throw new NoSuchFileException(file.toString());
      }
      if (!dirs.contains(file.getParent())) {
        throw new NoSuchFileException(file.getParent().toString());
      }
      n = new Node();
      entries.put(file, n);
    }
    return new Handle(n);
  }

  @Override
  public synchronized boolean exists(Path path) {
    return entries.containsKey(path) || dirs.contains(path);
  }

  @Override
  public synchronized List<Path> list(Path dir) throws IOException {
    check();
    List<Path> out = new ArrayList<>();
    for (Path p : entries.keySet()) {
      if (dir.equals(p.getParent())) {
        out.add(p);
      }
    }
    for (Path p : dirs) {
      if (dir.equals(p.getParent())) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public synchronized boolean isDirectory(Path path) {
    return dirs.contains(path);
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    check();
    for (Path p = dir; p != null; p = p.getParent()) {
      dirs.add(
          p); // directories are modelled as durable at once: the log never relies on them vanishing
    }
  }

  @Override
  public synchronized void move(Path from, Path to) throws IOException {
    check();
    Node n = entries.remove(from);
    if (n == null) {
      throw new NoSuchFileException(from.toString());
    }
    entries.put(to, n);
  }

  @Override
  public synchronized void deleteIfExists(Path path) throws IOException {
    check();
    entries.remove(path);
  }

  @Override
  public synchronized void forceDirectory(Path dir) throws IOException {
    check();
    durableEntries.keySet().removeIf(p -> dir.equals(p.getParent()) && !entries.containsKey(p));
    for (Map.Entry<Path, Node> e : entries.entrySet()) {
      if (dir.equals(e.getKey().getParent())) {
        durableEntries.put(e.getKey(), e.getValue());
      }
    }
  }

  @Override
  public synchronized Closeable lock(Path dir) throws IOException {
    check();
    if (!locks.add(dir)) {
      throw new LogLockedException(dir, "this JVM");
    }
    return () -> {
      synchronized (MemoryFileLayer.this) {
        locks.remove(dir);
      }
    };
  }

  private final class Handle implements FileHandle {
    private final Node node;
    private boolean closed;

    Handle(Node node) {
      this.node = node;
    }

    private void checkOpen() throws IOException {
      check();
      if (closed) {
        throw new ClosedChannelException();
      }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      synchronized (MemoryFileLayer.this) {
        checkOpen();
        int n = src.remaining();
        int end = (int) position + n;
        if (end > node.data.length) {
          node.data = Arrays.copyOf(node.data, Math.max(end, node.data.length * 2));
        }
        src.get(node.data, (int) position, n);
        node.size = Math.max(node.size, end);
        return n;
      }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      synchronized (MemoryFileLayer.this) {
        checkOpen();
        if (position >= node.size) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), node.size - position);
        dst.put(node.data, (int) position, n);
        return n;
      }
    }

    @Override
    public long size() throws IOException {
      synchronized (MemoryFileLayer.this) {
        checkOpen();
        return node.size;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (MemoryFileLayer.this) {
        checkOpen();
        if (size < node.size) {
          Arrays.fill(node.data, (int) size, node.size, (byte) 0);
          node.size = (int) size;
        }
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (MemoryFileLayer.this) {
        checkOpen();
        node.durable = Arrays.copyOf(node.data, node.size);
      }
    }

    @Override
    public void close() {
      synchronized (MemoryFileLayer.this) {
        closed = true;
      }
    }
  }
}
