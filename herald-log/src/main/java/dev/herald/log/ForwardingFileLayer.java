package dev.herald.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@link FileLayer} that forwards every call to another: extend it and override only what a test
 * or a measurement changes (inject a fault, count fsyncs), the rest stays the real thing. Its
 * {@link Handle} does the same for open files. Thread-safe if the delegate is.
 */
public abstract class ForwardingFileLayer implements FileLayer {
  private final FileLayer delegate;

  protected ForwardingFileLayer(FileLayer delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The layer calls are forwarded to. */
  protected final FileLayer delegate() {
    return delegate;
  }

  @Override
  public FileHandle open(Path file, boolean create) throws IOException {
    return delegate.open(file, create);
  }

  @Override
  public FileHandle openReadOnly(Path file) throws IOException {
    return delegate.openReadOnly(file);
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public boolean isDirectory(Path path) {
    return delegate.isDirectory(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    delegate.move(from, to);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    delegate.deleteIfExists(path);
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    delegate.forceDirectory(dir);
  }

  @Override
  public Closeable lock(Path dir) throws IOException {
    return delegate.lock(dir);
  }

  @Override
  public boolean isLocked(Path dir) throws IOException {
    return delegate.isLocked(dir);
  }

  /** A {@link FileLayer.FileHandle} that forwards every call to another. */
  public abstract static class Handle implements FileHandle {
    private final FileHandle delegate;

    protected Handle(FileHandle delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return delegate.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      delegate.truncate(size);
    }

    @Override
    public void force() throws IOException {
      delegate.force();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
