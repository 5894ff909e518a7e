package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group member killed (SIGKILL) once its group has committed every event it handled: the effects
 * those handlers emitted are stored all the same, because a group acknowledges an event only once
 * its effects are stored. The member ({@link KafkaEffectsProcess}) lingers a second before sending
 * an effect, so the offsets of an acknowledgement that did not wait for them would be committed
 * first.
 */
@Timeout(value = 240, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class EffectsKillTest {
  final String bootstrap = TestClusters.single().bootstrapServers();
  final String prefix = freshPrefix("effectskill");

  @Test
  void theEffectsOfEveryCommittedEventSurviveAKill() throws Exception {
    int total = 50;
    Set<String> causes = new HashSet<>();
    try (KafkaTransport t =
        transport(prefix)
            .topics(KafkaEffectsProcess.mapping(prefix), List.of(prefix + "events"))
            .build()) {
      for (int i = 0; i < total; i++) {
        Event<Integer> e = Event.of("cause.run", "k" + (i % 10), i);
        causes.add(e.id());
        t.store(e).get(30, SECONDS);
      }
    }
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                KafkaEffectsProcess.class.getName(),
                bootstrap,
                prefix,
                "1000")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread reader = new Thread(() -> read(child, handled), "effectskill-child-out");
      reader.setDaemon(true);
      reader.start();
      await().atMost(120, SECONDS).until(() -> handled.size() == total);
      // Lag 0 for the causes (the group reads only their topic): every one is acknowledged and
      // committed.
      await()
          .atMost(60, SECONDS)
          .until(() -> PlainClients.committedTotal(bootstrap, prefix + "workers") >= total);
    } finally {
      child.toHandle().destroyForcibly(); // SIGKILL: the producer's buffer dies with the process
      child.waitFor(30, SECONDS);
    }

    try (KafkaTransport verify =
        transport(prefix)
            .topics(KafkaEffectsProcess.mapping(prefix), List.of(prefix + "effects"))
            .build()) {
      Set<String> effectsOf = ConcurrentHashMap.newKeySet();
      verify.feed(
          "verify",
          e -> e.type().equals("effect.made"),
          (e, done) -> {
            effectsOf.add(e.causationId());
            done.run();
          });
      await().atMost(60, SECONDS).until(() -> effectsOf.containsAll(causes));
      assertThat(effectsOf).isEqualTo(causes);
    }
  }

  private static void read(Process child, Set<String> handled) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("handled ")) {
          handled.add(line.substring(8));
        }
      }
    } catch (IOException e) {
      // The child was killed.
    }
  }
}
