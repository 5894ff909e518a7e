package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.server.GatewayStore.GroupLag;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogGroupsTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void aGroupShowsOnceItCommittedAndItsLagRisesAndFallsAsItCatchesUp() throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      assertThat(store.groups()).isEmpty();
      CountDownLatch gate = new CountDownLatch(1);
      CountDownLatch firstHandled = new CountDownLatch(1);
      Subscription s =
          store
              .bus()
              .subscribe(
                  "order.*",
                  e -> {
                    if ("wait".equals(e.data())) {
                      assertThat(gate.await(30, TimeUnit.SECONDS)).isTrue();
                    }
                    firstHandled.countDown();
                  },
                  SubscribeOptions.defaults().name("billing").group("billing"));
      try {
        store.append(Event.of("order.placed", "go")).get();
        assertThat(firstHandled.await(20, TimeUnit.SECONDS)).isTrue();
        GroupLag caughtUp =
            await()
                .atMost(BOUND)
                .until(() -> group(store, "billing"), g -> g.isPresent() && g.get().lag() == 0)
                .orElseThrow();
        assertThat(caughtUp.partitions()).hasSize(1);
        assertThat(caughtUp.partitions().get(0).partition()).isEqualTo("0");
        assertThat(caughtUp.partitions().get(0).committed()).isEqualTo(1);
        assertThat(caughtUp.partitions().get(0).end()).isEqualTo(1);

        for (int i = 0; i < 10; i++) {
          store.append(Event.of("order.placed", "wait")).get();
        }
        GroupLag behind = group(store, "billing").orElseThrow();
        assertThat(behind.lag()).isEqualTo(10);
        assertThat(behind.partitions().get(0).end()).isEqualTo(11);

        gate.countDown();
        await().atMost(BOUND).until(() -> group(store, "billing").orElseThrow().lag() == 0);
        assertThat(group(store, "billing").orElseThrow().partitions().get(0).committed())
            .isEqualTo(11);
      } finally {
        gate.countDown();
        s.close();
      }
    }
  }

  @Test
  void groupsOfOtherTopicsAreNotListed() throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      store.transport().offsets().commit("elsewhere", "other-topic", 5);
      store.transport().offsets().commit("audit", store.transport().log().name(), 0);
      assertThat(store.groups()).extracting(GroupLag::group).containsExactly("audit");
    }
  }

  private static Optional<GroupLag> group(GatewayStore store, String name) {
    List<GroupLag> all = store.groups();
    return all.stream().filter(g -> g.group().equals(name)).findFirst();
  }
}
