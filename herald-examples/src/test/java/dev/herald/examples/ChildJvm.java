package dev.herald.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@code herald} ({@link Main}) in a JVM of its own, on the test's class path. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * A process builder for {@code herald args...}; the caller redirects its streams and starts it.
   * Small heap, quick start: these children run a demo, not a benchmark.
   */
  static ProcessBuilder herald(String... args) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }
}
