package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's gateway commands (the block after {@code <!-- commands: gateway -->}), run as a user
 * runs them, with bash, curl and the real launcher: {@code ./herald serve} started first, then each
 * command in its order. The only changes: the server takes a free port and a temporary directory,
 * so the address {@code http://127.0.0.1:8080} is replaced by the one it took (and given to the CLI
 * as {@code --url}, its default otherwise), and the endless {@code curl -N} stream is cut after a
 * few seconds.
 */
class ReadmeGatewayTest {
  private static final String MARKER = "<!-- commands: gateway -->";
  private static final String README_URL = "http://127.0.0.1:8080";

  @TempDir Path dir;

  @Test
  void theReadmesGatewayCommandsWorkAsWritten() throws Exception {
    assumeTrue(
        onPath("curl") || "1".equals(System.getenv("HERALD_REQUIRE_BROWSER")),
        "curl is not installed: the README's curl commands cannot be run");
    List<String> commands = readmeCommands();
    assertThat(commands.get(0)).startsWith("./herald serve ");
    try (ServeProcess serve = ServeProcess.start(dir.resolve("data"))) {
      List<String> outputs = new ArrayList<>();
      for (String command : commands.subList(1, commands.size())) {
        String line = command.replace(README_URL, serve.url());
        if (line.startsWith("./herald ")) {
          line += " --url " + serve.url();
        }
        boolean stream = line.startsWith("curl -N");
        if (stream) {
          // -sS: no progress meter, as in a terminal. With its output captured, curl writes one to
          // stderr, and its text may land in the middle of the stream's lines (seen in CI).
          line = line.replaceFirst("^curl -N", "curl -N -sS --max-time 5");
        }
        Shell r = Shell.run(line);
        // curl ends an endless stream with 28 (operation timed out) when --max-time cuts it.
        assertThat(r.status).as("%s%n%s", command, r.output).isEqualTo(stream ? 28 : 0);
        outputs.add(r.output);
      }
      assertThat(outputs.get(0)).as("curl publish").contains(" 202").contains("\"position\"");
      assertThat(outputs.get(1))
          .as("curl stream")
          .contains("event: order.placed", "\nid: ", "\"orderId\":\"o-1\"");
      assertThat(outputs.get(2)).as("events publish").contains("202");
      assertThat(outputs.get(3)).as("events tail").contains("o-1", "o-2");
      assertThat(serve.stop()).as(serve.output()).isZero();
    }
  }

  /** The README block's commands, one per line. */
  static List<String> readmeCommands() throws IOException {
    List<String> lines =
        Files.readAllLines(ServeProcess.ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    int at = lines.indexOf(MARKER);
    assertThat(at).as("the README has the marker %s", MARKER).isNotNegative();
    assertThat(lines.get(at + 1)).isEqualTo("```sh");
    List<String> commands = new ArrayList<>();
    for (int i = at + 2; !lines.get(i).equals("```"); i++) {
      String l = lines.get(i).strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        commands.add(l);
      }
    }
    return commands;
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  /** One command run by bash in the repository's root, its output and exit status. */
  private record Shell(int status, String output) {
    static Shell run(String command) throws IOException, InterruptedException {
      ProcessBuilder pb =
          new ProcessBuilder("bash", "-c", command)
              .directory(ServeProcess.ROOT.toFile())
              .redirectErrorStream(true);
      pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(ServeProcess.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
      return new Shell(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
  }
}
