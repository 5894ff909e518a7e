package dev.herald.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate made at test time by the JDK's {@code keytool}: its key and certificate
 * in a PKCS12 key store (for an HTTPS server), and the certificate alone in PEM (for a client to
 * trust). Nothing is downloaded or committed. Shared with other modules' tests through this
 * module's test jar (herald-cli's {@code ServeCommandTest}).
 */
public record SelfSigned(Path keyStore, Path pem) {
  public static final String PASSWORD = "test-password";

  /**
   * Makes {@code name}'s key and certificate in {@code dir}, with the subject alternative names
   * {@code sans} in keytool's form ({@code dns:localhost,ip:127.0.0.1}).
   */
  public static SelfSigned make(Path dir, String name, String sans) throws Exception {
    Path keyStore = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    keytool(
        keyStore,
        name,
        "-genkeypair",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=" + name,
        "-ext",
        "SAN=" + sans,
        "-keypass",
        PASSWORD,
        "-noprompt");
    keytool(keyStore, name, "-exportcert", "-rfc", "-file", pem.toString());
    return new SelfSigned(keyStore, pem);
  }

  /** A server-side TLS context that serves this key and certificate. */
  public SSLContext serverContext() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    return tls;
  }

  /** Runs keytool's {@code args[0]} command on {@code alias} in the PKCS12 {@code keyStore}. */
  private static void keytool(Path keyStore, String alias, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(
        List.of(
            "-alias",
            alias,
            "-storetype",
            "PKCS12",
            "-keystore",
            keyStore.toString(),
            "-storepass",
            PASSWORD));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool ended").isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", args[0], output).isZero();
  }
}
