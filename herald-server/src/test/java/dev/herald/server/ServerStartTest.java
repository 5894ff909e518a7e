package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerStartTest {
  @TempDir Path dir;

  @Test
  void aServerOnAFreePortAnswersAndAnUnknownPathIsAProblem() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      assertThat(server.port()).isPositive();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.uri() + "/nowhere")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
    }
  }

  /** Configured first, its store given last: the order {@code ./herald serve} uses. */
  @Test
  void whyCannotListenSaysTheAddressIsInUseWhenAnotherServerIsThere() throws Exception {
    int port;
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = taken.getLocalPort();
      assertThat(HeraldServer.whyCannotListen("127.0.0.1", port))
          .contains(HeraldServer.ADDRESS_IN_USE);
    }
    assertThat(HeraldServer.whyCannotListen("127.0.0.1", port)).isEmpty();
    assertThat(HeraldServer.whyCannotListen("127.0.0.1", 0)).isEmpty();
  }

  @Test
  void aBuilderTakesItsStoreLastAndRefusesToStartWithoutOne() throws Exception {
    HeraldServer.Builder b = HeraldServer.builder().port(0);
    assertThatThrownBy(b::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no store");
    try (GatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = b.store(store).start()) {
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void withoutTokensTheServerRefusesToListenBeyondLoopback() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir)) {
      assertThatThrownBy(() -> HeraldServer.builder(store).host("0.0.0.0").port(0).start())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("loopback");
    }
    // The same check, without a store yet.
    assertThatThrownBy(() -> HeraldServer.builder().host("0.0.0.0").validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    TokenAccess tokens =
        TokenAccess.parse(
            "{\"tokens\": [{\"name\": \"ops\", \"token\": \"s3cr3t-0123456789abcdef\","
                + " \"admin\": true}]}",
            "tokens.json");
    HeraldServer.builder().host("0.0.0.0").access(tokens).validate(); // with tokens: any host
  }
}
