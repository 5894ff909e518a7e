package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import dev.herald.server.TokenAccess;
import dev.herald.server.testing.SelfSigned;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald serve}'s refusals: one line each, the right exit status, no stack trace. */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void aPortInUseIsAFailureWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run =
          Run.of("serve", "--port", String.valueOf(taken.getLocalPort()), "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "in use")
          .doesNotContain("\tat ");
      assertThat(run.err().strip().lines()).hasSize(1);
    }
    // The directory was closed again: the store opens.
    LogGatewayStore.open(dir).close();
  }

  /**
   * Through the real launcher, so that the HTTP library's log lines count too: a port in use is the
   * one documented line and exit 1, with no line of a start that began (the development-mode
   * warning, the library's failed start) and no --data directory made.
   */
  @Test
  void aPortInUseIsOneLineOnlyAndMakesNoDataDirectory() throws Exception {
    Path data = dir.resolve("never-made");
    Path output = dir.resolve("taken.out");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  ServeProcess.ROOT.resolve("herald").toString(),
                  "serve",
                  "--port",
                  String.valueOf(taken.getLocalPort()),
                  "--data",
                  data.toString())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
      Process p = pb.start();
      try {
        assertThat(p.waitFor(ServeProcess.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      String out = Files.readString(output);
      assertThat(p.exitValue()).as(out).isEqualTo(1);
      assertThat(out.strip().lines()).as(out).hasSize(1);
      assertThat(out).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "in use");
    }
    assertThat(data).doesNotExist();
  }

  @Test
  void aDataPathThatIsAFileSaysItIsNotADirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run run = Run.of("serve", "--port", "0", "--data", file.toString());
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err().strip())
        .isEqualTo("herald: cannot open the log directory " + file + ": not a directory");
  }

  @Test
  void aDirectoryOpenElsewhereIsAFailure() throws IOException {
    LogGatewayStore holder = LogGatewayStore.open(dir);
    try {
      Run run = Run.of("serve", "--port", "0", "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("already open", dir.toString()).doesNotContain("\tat ");
    } finally {
      holder.close();
    }
  }

  @Test
  void verboseShowsTheStackTrace() throws IOException {
    LogGatewayStore holder = LogGatewayStore.open(dir);
    try {
      Run run = Run.of("serve", "--verbose", "--port", "0", "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("\tat ");
    } finally {
      holder.close();
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(Run.of("serve", "--port", "70000", "--data", dir.toString()).status()).isEqualTo(2);
    assertThat(Run.of("serve", "--port", "x").status()).isEqualTo(2);
    assertThat(Run.of("serve", "--data", dir.toString(), "--kafka", "localhost:9092").status())
        .isEqualTo(2);
    Path data = dir.resolve("data");
    Run open = Run.of("serve", "--port", "0", "--host", "0.0.0.0", "--data", data.toString());
    assertThat(open.status()).as(open.err()).isEqualTo(2);
    assertThat(open.err()).contains("loopback");
    // Refused before the store was opened: no data directory was made for it.
    assertThat(data).doesNotExist();
  }

  @Test
  void aMissingTokensFileIsAUsageError() {
    Path missing = dir.resolve("no-such-tokens");
    Run run =
        Run.of("serve", "--port", "0", "--data", dir.toString(), "--tokens", missing.toString());
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--tokens").doesNotContain("\tat ");
    assertThat(Files.exists(missing)).isFalse();
  }

  @Test
  void aMissingOrNonPemWebhookCaFileIsAUsageError() throws IOException {
    Path missing = dir.resolve("no-such-ca.pem");
    Run run = serveWithWebhookCa(missing);
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .contains("--webhook-ca: no such file: " + missing)
        .doesNotContain("\tat ");

    Path notPem = Files.writeString(dir.resolve("not.pem"), "not a certificate\n");
    Run bad = serveWithWebhookCa(notPem);
    assertThat(bad.status()).as(bad.err()).isEqualTo(2);
    assertThat(bad.err()).contains("--webhook-ca: ", notPem.toString()).doesNotContain("\tat ");
    // Refused before the store was opened: no data directory was made for it.
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aBadWebhookProxyIsAUsageErrorNamingTheOption() {
    String data = dir.resolve("data").toString();
    String[][] cases = {
      {"proxy.internal", "--webhook-proxy: no port in \"proxy.internal\""},
      {"proxy.internal:70000", "--webhook-proxy: the port must be within [1, 65535], was 70000"},
      {"socks5://proxy.internal:1080", "--webhook-proxy: only an http:// proxy is supported"},
      {"http://user@proxy.internal:3128", "--webhook-proxy: the proxy's user info must be"},
      {"http://user:secret@proxy.internal", "--webhook-proxy: no port in \"http://USER:PASSWORD@"},
    };
    for (String[] c : cases) {
      Run run = Run.of("serve", "--port", "0", "--data", data, "--webhook-proxy", c[0]);
      assertThat(run.status()).as(run.err()).isEqualTo(2);
      assertThat(run.err()).doesNotContain("\tat ").doesNotContain("secret");
      // One line says what is wrong, as for --webhook-ca; picocli's usage help follows it.
      assertThat(run.err().lines().findFirst()).get(STRING).startsWith(c[1]);
      assertThat(run.err().lines().filter(l -> l.startsWith("--webhook-proxy: "))).hasSize(1);
      assertThat(Path.of(data)).doesNotExist();
    }
  }

  /**
   * The proxy is read from {@code HERALD_WEBHOOK_PROXY} when the option is not given, so that its
   * credentials need not be on a command line: the real launcher, in a process of its own, with a
   * value in the environment that has credentials and no port is refused naming the option, without
   * showing the password.
   */
  @Test
  void theWebhookProxyComesFromTheEnvironmentWithoutShowingItsPassword() throws Exception {
    Path launcher = ServeProcess.ROOT.resolve("herald");
    ProcessBuilder pb =
        new ProcessBuilder(
                launcher.toString(), "serve", "--port", "0", "--data", dir.resolve("d").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("serve.out").toFile());
    pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("HERALD_WEBHOOK_PROXY", "http://ops:s3cret@proxy.internal");
    Process p = pb.start();
    try {
      // Bounded: were the variable not read, the server would start and serve until stopped.
      assertThat(p.waitFor(ServeProcess.PATIENCE_SECONDS, TimeUnit.SECONDS))
          .as("the launcher ended")
          .isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(dir.resolve("serve.out"));
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out.lines().findFirst())
        .get(STRING)
        .startsWith("--webhook-proxy: no port in \"http://USER:PASSWORD@proxy.internal\"");
    assertThat(out).doesNotContain("s3cret").doesNotContain("ops:");
  }

  private Run serveWithWebhookCa(Path file) {
    String data = dir.resolve("data").toString();
    return Run.of("serve", "--port", "0", "--data", data, "--webhook-ca", file.toString());
  }

  /**
   * An HTTPS target whose self-signed certificate (made by keytool now) the JVM does not trust: a
   * webhook to it is refused at the handshake, unless {@code --webhook-ca} names the certificate.
   */
  @Test
  void webhookCaTrustsATargetsCertificate() throws Exception {
    SelfSigned target = SelfSigned.make(dir, "localhost", "dns:localhost,ip:127.0.0.1");
    Path tokens = shopTokens();
    try (ServerSocket listening =
        target
            .serverContext()
            .getServerSocketFactory()
            .createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread answers = new Thread(() -> agreeToAll(listening), "webhook-target");
      answers.setDaemon(true);
      answers.start();
      String url = "https://localhost:" + listening.getLocalPort() + "/hook";
      HttpResponse<String> refused =
          createWebhook(dir.resolve("a"), tokens, url, "--allow-private-webhooks");
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("PKIX path building failed");
      HttpResponse<String> trusted =
          createWebhook(
              dir.resolve("b"),
              tokens,
              url,
              "--allow-private-webhooks",
              "--webhook-ca",
              target.pem().toString());
      assertThat(trusted.statusCode()).as(trusted.body()).isEqualTo(201);
    }
  }

  @Test
  void allowPrivateWebhooksLetsAServerWithTokensPostToLoopback() throws Exception {
    Path tokens = shopTokens();
    // A target on loopback that agrees to every handshake (answers each request so, and closes).
    try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread answers = new Thread(() -> agreeToAll(target), "webhook-target");
      answers.setDaemon(true);
      answers.start();
      String url = "http://127.0.0.1:" + target.getLocalPort() + "/hook";
      HttpResponse<String> refused = createWebhook(dir.resolve("a"), tokens, url);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("loopback", "--allow-private-webhooks");
      HttpResponse<String> allowed =
          createWebhook(dir.resolve("b"), tokens, url, "--allow-private-webhooks");
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
    }
  }

  /** A tokens file with one token, the shop's, that may subscribe to {@code order.*}. */
  private Path shopTokens() throws IOException {
    return Files.writeString(
        dir.resolve("tokens.json"),
        "{\"tokens\": [{\"name\": \"shop\", \"token\": \""
            + TokenTest.SHOP
            + "\", \"subscribe\": [\"order.*\"]}]}");
  }

  private static void agreeToAll(ServerSocket target) {
    while (!target.isClosed()) {
      try (Socket s = target.accept()) {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String line = in.readLine();
        while (line != null && !line.isEmpty()) {
          line = in.readLine(); // the request's head; an OPTIONS has no body
        }
        s.getOutputStream()
            .write(
                ("HTTP/1.1 200 OK\r\nWebHook-Allowed-Origin: *\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // closed by the test (the loop ends), or a client that refused the TLS handshake
      }
    }
  }

  /** Serves as {@code serve --tokens FILE [options]} would, and makes a webhook. */
  private static HttpResponse<String> createWebhook(
      Path data, Path tokens, String url, String... options) throws Exception {
    ServeCommand serve = new ServeCommand();
    List<String> args =
        new ArrayList<>(
            List.of("--port", "0", "--data", data.toString(), "--tokens", tokens.toString()));
    args.addAll(List.of(options));
    new CommandLine(serve).parseArgs(args.toArray(String[]::new));
    try (LogGatewayStore store = LogGatewayStore.open(data);
        HeraldServer server = serve.start(serve.configure(TokenAccess.load(tokens)).store(store))) {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(server.uri() + "/v1/subscriptions"))
                  .header("Authorization", "Bearer " + TokenTest.SHOP)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"types\": \"order.none\", \"url\": \"" + url + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
  }
}
