package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A redrive's resolved mark outlives the server and the store: a new one does not list it. */
class AdminRestartTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void aRedrivenDeadLetterStaysResolvedOnANewServerOverTheSameDirectory() throws Exception {
    String redriven;
    String kept;
    Event<String> keptEvent;
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start();
        AdminFixture billing = new AdminFixture(store, "billing", "order.*")) {
      Event<String> first = AdminFixture.append(store, "order.placed", "fail");
      keptEvent = AdminFixture.append(store, "order.placed", "fail");
      JsonNode list = await().atMost(BOUND).until(() -> list(server), l -> l.size() == 2);
      redriven = list.get(0).get("position").asText();
      kept = list.get(1).get("position").asText();
      assertThat(
              AdminApiTest.send(server, "POST", "/v1/deadletters/" + redriven + "/redrive")
                  .status())
          .isEqualTo(202);
      await().atMost(BOUND).until(() -> billing.handled.contains(first.id()));
    }
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      long end = store.transport().log().endOffset();
      await().atMost(BOUND).until(() -> store.deadLetterIndexedTo() >= end);
      JsonNode list = list(server);
      assertThat(list).hasSize(1);
      assertThat(list.get(0).get("position").asText()).isEqualTo(kept);
      assertThat(list.get(0).get("event").get("id").asText()).isEqualTo(keptEvent.id());
      assertThat(AdminApiTest.send(server, "GET", "/v1/deadletters/" + redriven).status())
          .isEqualTo(404);
    }
  }

  private static JsonNode list(HeraldServer server) throws Exception {
    AdminApiTest.Answer a = AdminApiTest.send(server, "GET", "/v1/deadletters?group=billing");
    assertThat(a.status()).isEqualTo(200);
    return a.body().get("deadLetters");
  }
}
