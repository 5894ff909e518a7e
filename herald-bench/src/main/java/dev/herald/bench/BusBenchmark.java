package dev.herald.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every throughput benchmark shares: the library parameter and the harness's life cycle. The
 * score is in events delivered to every subscriber per second (one JMH operation is one event).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class BusBenchmark {
  /** A {@link Library} id; the list is repeated here because annotations take only constants. */
  @Param({
    "herald-emit",
    "herald-publish",
    "herald-emit-tuned",
    "herald-publish-tuned",
    "herald-emit-fj",
    "disruptor",
    "guava-async",
    "guava-sync",
    "mbassador",
    "greenrobot-background",
    "greenrobot-async",
    "seed-go-port"
  })
  public String library;

  Harness harness;

  abstract int publishers();

  abstract int subscribers();

  @Setup(Level.Trial)
  public void open() {
    harness = new Harness(Library.byId(library), publishers(), subscribers());
  }

  @TearDown(Level.Trial)
  public void close() {
    harness.close();
  }
}
