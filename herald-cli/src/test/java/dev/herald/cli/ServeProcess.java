package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./herald serve --port 0 --data DIR} as a child process, through the real launcher, which
 * runs the CLI from this test's class path ({@code HERALD_CLI_CLASSPATH}) rather than building the
 * jar in the middle of the build. Its output is collected on a thread of its own.
 */
final class ServeProcess implements AutoCloseable {
  static final long PATIENCE_SECONDS = 60;

  /** The repository's root, where the launcher and the README are. */
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private final Process process;
  private final Thread reader;
  private final StringBuilder output = new StringBuilder();
  private final String url;

  private ServeProcess(Path data) throws IOException, InterruptedException {
    Path launcher = ROOT.resolve("herald");
    assertThat(launcher).isExecutable();
    ProcessBuilder pb =
        new ProcessBuilder(launcher.toString(), "serve", "--port", "0", "--data", data.toString())
            .redirectErrorStream(true);
    pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
    process = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("read failed: " + e);
              }
            },
            "serve-output");
    reader.start();
    String found = null;
    while (found == null) {
      String line = lines.poll(PATIENCE_SECONDS, TimeUnit.SECONDS);
      assertThat(line).as("the 'listening' line; output so far: %s", output()).isNotNull();
      if (line.contains("listening on ")) {
        found = line.substring(line.indexOf("listening on ") + "listening on ".length()).strip();
      }
    }
    url = found;
  }

  /** Starts the server over the log directory {@code data} and waits until it listens. */
  static ServeProcess start(Path data) throws IOException, InterruptedException {
    return new ServeProcess(data);
  }

  /** Where it listens, such as {@code http://127.0.0.1:41234}. */
  String url() {
    return url;
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** Sends SIGTERM and waits for the process and its output to end; returns its exit code. */
  int stop() throws InterruptedException {
    // SIGTERM through the handle: Process.destroy() would also close our end of its output.
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
