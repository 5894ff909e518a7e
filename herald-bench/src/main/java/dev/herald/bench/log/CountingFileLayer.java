package dev.herald.bench.log;

import dev.herald.log.FileLayer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The real file system ({@link FileLayer#system()}) with every file fsync counted and timed, so a
 * benchmark can report how many records each fsync carried and how long the writer waited for it.
 * Directory fsyncs are not counted. Safe for use from any thread, like the layer it wraps.
 */
final class CountingFileLayer implements FileLayer {
  private final FileLayer files = FileLayer.system();
  private final LongAdder forces = new LongAdder();
  private final Recorder forceNanos = new Recorder(3);

  /** File fsyncs so far. */
  long forces() {
    return forces.sum();
  }

  /** How long each file fsync since the previous call took, in nanoseconds. */
  Histogram forceNanos() {
    return forceNanos.getIntervalHistogram();
  }

  @Override
  public FileHandle open(Path file, boolean create) throws IOException {
    FileHandle h = files.open(file, create);
    return new FileHandle() {
      @Override
      public int write(ByteBuffer src, long position) throws IOException {
        return h.write(src, position);
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return h.read(dst, position);
      }

      @Override
      public long size() throws IOException {
        return h.size();
      }

      @Override
      public void truncate(long size) throws IOException {
        h.truncate(size);
      }

      @Override
      public void force() throws IOException {
        long start = System.nanoTime();
        h.force();
        forceNanos.recordValue(System.nanoTime() - start);
        forces.increment();
      }

      @Override
      public void close() throws IOException {
        h.close();
      }
    };
  }

  @Override
  public boolean exists(Path path) {
    return files.exists(path);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return files.list(dir);
  }

  @Override
  public boolean isDirectory(Path path) {
    return files.isDirectory(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    files.createDirectories(dir);
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    files.move(from, to);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    files.deleteIfExists(path);
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    files.forceDirectory(dir);
  }

  @Override
  public Closeable lock(Path dir) throws IOException {
    return files.lock(dir);
  }
}
