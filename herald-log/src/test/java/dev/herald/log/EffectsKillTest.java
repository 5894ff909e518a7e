package dev.herald.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link EffectsChild}) with SIGKILL while its consumer group handles events and
 * emits their effects, several times over the same log, and checks after each kill that every event
 * the group committed has its effect in the log: a group acknowledges an event only once its
 * effects are stored. {@code -Dherald.effects.kills=N} sets the number of kills.
 */
class EffectsKillTest {
  @TempDir Path dir;

  static final int KILLS = Integer.getInteger("herald.effects.kills", 5);
  static final int CAUSES = 2_000;

  @Test
  void theEffectsOfEveryCommittedEventSurviveSigkill() throws Exception {
    Path logDir = dir.resolve("log");
    try (LogTransport t = EffectsChild.open(logDir)) {
      for (int i = 0; i < CAUSES; i++) {
        t.store(Event.of("cause.run", "k" + (i % 16), i)).get(30, TimeUnit.SECONDS);
      }
    }
    Random random = new Random();
    long committed = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = launch(logDir);
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int target = 1 + random.nextInt(300);
        for (int seen = 0; seen < target; seen++) {
          assertThat(lines.readLine())
              .as("child died early; see %s", dir.resolve("child-stderr.txt"))
              .isNotNull();
        }
        child.toHandle().destroyForcibly(); // SIGKILL: no close, no final commit
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
      committed = verify(logDir);
    }
    assertThat(committed).as("causes committed over %d kills", KILLS).isPositive();
    System.out.printf(
        "effects kill test: %d kills, %d causes committed with their effects%n", KILLS, committed);
  }

  private Process launch(Path logDir) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                EffectsChild.class.getName(),
                logDir.toString()));
    return new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile()))
        .start();
  }

  /** Checks that every committed cause has its effect; returns how many causes are committed. */
  private static long verify(Path logDir) throws Exception {
    LogDirectory d = LogDirectory.open(logDir, LogTransportTest.OPTIONS);
    try (LogTransport t = LogTransport.builder(d).build()) {
      // The causes were stored first, at offsets 0 to CAUSES - 1; effects come after them.
      long committed =
          Math.min(CAUSES, d.offsets().committed("workers", t.log().name()).orElse(0L));
      List<String> causes = new ArrayList<>();
      Set<String> effectsOf = new HashSet<>();
      t.replay(
          e -> {
            if (e.type().equals("cause.run")) {
              causes.add(e.id());
            } else if (e.type().equals("effect.made")) {
              effectsOf.add(e.causationId());
            }
          });
      assertThat(causes).hasSize(CAUSES);
      assertThat(effectsOf)
          .as("effects of the %d committed causes", committed)
          .containsAll(causes.subList(0, (int) committed));
      return committed;
    }
  }
}
