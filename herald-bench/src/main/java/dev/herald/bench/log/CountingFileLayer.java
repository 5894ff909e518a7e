package dev.herald.bench.log;

import dev.herald.log.FileLayer;
import dev.herald.log.ForwardingFileLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The real file system ({@link FileLayer#system()}) with every file fsync counted and timed, so a
 * benchmark can report how many records each fsync carried and how long the writer waited for it.
 * Directory fsyncs are not counted. Safe for use from any thread, like the layer it wraps.
 */
final class CountingFileLayer extends ForwardingFileLayer {
  private final LongAdder forces = new LongAdder();
  private final Recorder forceNanos = new Recorder(3);

  CountingFileLayer() {
    super(FileLayer.system());
  }

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
    return new Handle(delegate().open(file, create)) {
      @Override
      public void force() throws IOException {
        long start = System.nanoTime();
        super.force();
        forceNanos.recordValue(System.nanoTime() - start);
        forces.increment();
      }
    };
  }
}
