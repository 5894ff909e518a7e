package dev.herald.bench.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fresh directory for one benchmark trial, deleted with everything in it on {@link #close()}. It
 * is created under the system property {@value #BASE_PROPERTY} when set, else under {@code
 * java.io.tmpdir}. The disk under it is the disk being measured: on a tmpfs every fsync is free, so
 * point the property at the file system the log will live on. Not thread-safe; one owner.
 */
final class ScratchDirectory implements AutoCloseable {
  static final String BASE_PROPERTY = "herald.bench.dir";

  private final Path path;

  private ScratchDirectory(Path path) {
    this.path = path;
  }

  static ScratchDirectory create(String prefix) {
    try {
      Path base = Path.of(System.getProperty(BASE_PROPERTY, System.getProperty("java.io.tmpdir")));
      Files.createDirectories(base);
      return new ScratchDirectory(Files.createTempDirectory(base, prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + path, e);
    }
  }
}
