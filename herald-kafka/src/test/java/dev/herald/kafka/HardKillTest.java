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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group member that dies without a word: a child JVM ({@link KafkaMemberProcess}) killed with
 * SIGKILL while it holds records it has not finished. It neither commits nor leaves its group; once
 * its session times out the group gives its partitions to another member, which gets every record
 * the dead one had not finished, and none that it had.
 */
@Timeout(value = 180, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class HardKillTest {
  final String bootstrap = TestClusters.single().bootstrapServers();
  final String prefix = freshPrefix("hardkill");

  @Test
  void aMemberKilledMidBatchLosesNothing() throws Exception {
    int total = 300;
    int finishedBeforeDeath = 50;
    Set<String> all = new HashSet<>();
    try (KafkaTransport t = transport(prefix).build()) {
      for (int i = 0; i < total; i++) {
        Event<Integer> e = Event.of("job.run", "k" + (i % 10), i);
        all.add(e.id());
        t.store(e).get(30, SECONDS);
      }
    }
    Set<String> finished = ConcurrentHashMap.newKeySet();
    AtomicBoolean holding = new AtomicBoolean();
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                KafkaMemberProcess.class.getName(),
                bootstrap,
                prefix,
                Integer.toString(finishedBeforeDeath))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread reader = new Thread(() -> read(child, finished, holding), "hardkill-child-out");
      reader.setDaemon(true);
      reader.start();
      await()
          .atMost(90, SECONDS)
          .until(() -> holding.get() && finished.size() == finishedBeforeDeath);
      await()
          .atMost(30, SECONDS)
          .until(
              () ->
                  PlainClients.committedTotal(bootstrap, prefix + "workers")
                      == finishedBeforeDeath);
    } finally {
      child.toHandle().destroyForcibly(); // SIGKILL: no commit, no leaving the group
      child.waitFor(30, SECONDS);
    }

    try (KafkaTransport second = transport(prefix).build()) {
      Set<String> redelivered = ConcurrentHashMap.newKeySet();
      second.feed(
          "workers",
          e -> true,
          (e, done) -> {
            redelivered.add(e.id());
            done.run();
          });
      await().atMost(90, SECONDS).until(() -> redelivered.size() == total - finishedBeforeDeath);
      assertThat(redelivered).doesNotContainAnyElementsOf(finished);
      Set<String> union = new HashSet<>(redelivered);
      union.addAll(finished);
      assertThat(union).isEqualTo(all);
      await()
          .atMost(30, SECONDS)
          .until(() -> PlainClients.committedTotal(bootstrap, prefix + "workers") == total);
    }
  }

  private static void read(Process child, Set<String> finished, AtomicBoolean holding) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("done ")) {
          finished.add(line.substring(5));
        } else if (line.startsWith("holding ")) {
          holding.set(true);
        }
      }
    } catch (IOException e) {
      // The child was killed.
    }
  }
}
