package dev.herald.opentelemetry;

import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The trace context through the embedded durable log, across a restart of the bus. */
class LogTracingTest extends DurableTracingContract {
  @TempDir Path dir;

  @Override
  protected Transport openTransport() {
    try {
      return LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults())).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
