package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import dev.herald.server.TokenAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a gateway that requires tokens, and serve's checks of a tokens file. */
class TokenTest {
  static final String SHOP = "shop-token-0123456789";
  static final String OPS = "ops-token-0123456789ab";

  @TempDir Path dir;

  @Test
  void theTokenIsSentAndRefusalsAreOneLine() throws IOException {
    TokenAccess access =
        TokenAccess.parse(
            "{\"tokens\": ["
                + "{\"name\": \"shop\", \"token\": \""
                + SHOP
                + "\", \"publish\": [\"order.*\"], \"subscribe\": [], \"admin\": false},"
                + "{\"name\": \"ops\", \"token\": \""
                + OPS
                + "\", \"admin\": true}]}",
            "test");
    try (LogGatewayStore store = LogGatewayStore.open(dir.resolve("data"));
        HeraldServer server = HeraldServer.builder(store).port(0).access(access).start()) {
      String url = server.uri().toString();
      Run anonymous = Run.of("groups", "--url", url);
      assertThat(anonymous.status()).isEqualTo(1);
      assertThat(anonymous.err())
          .contains("401", "--token", "HERALD_TOKEN")
          .doesNotContain("\tat ");

      Run notAdmin = Run.of("groups", "--url", url, "--token", SHOP);
      assertThat(notAdmin.status()).isEqualTo(1);
      assertThat(notAdmin.err()).contains("403");

      Run published =
          Run.of(
              "events",
              "publish",
              "--type",
              "order.placed",
              "--payload",
              "1",
              "--url",
              url,
              "--token",
              SHOP);
      assertThat(published.status()).as(published.err()).isZero();
      Run refused =
          Run.of(
              "events",
              "publish",
              "--type",
              "user.created",
              "--payload",
              "1",
              "--url",
              url,
              "--token",
              SHOP);
      assertThat(refused.status()).isEqualTo(1);
      assertThat(refused.out()).contains("403"); // the event's result row, as in a batch

      Run admin = Run.of("groups", "--url", url, "--token", OPS, "-o", "json");
      assertThat(admin.status()).as(admin.err()).isZero();
      assertThat(admin.json().has("groups")).isTrue();
    }
  }

  @Test
  void aTokensFileThatDoesNotParseIsAUsageError() throws IOException {
    Path tokens = dir.resolve("tokens.json");
    Files.writeString(tokens, "{\"tokens\": [{\"name\": \"x\", \"token\": \"short\"}]}");
    Run run =
        Run.of(
            "serve",
            "--port",
            "0",
            "--data",
            dir.resolve("data").toString(),
            "--tokens",
            tokens.toString());
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--tokens").doesNotContain("short").doesNotContain("\tat ");
  }
}
