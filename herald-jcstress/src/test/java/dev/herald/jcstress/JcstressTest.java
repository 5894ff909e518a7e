package dev.herald.jcstress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs every jcstress test of this module in a JVM of its own (jcstress forks more) and fails when
 * any outcome marked forbidden was seen, or any test failed to run. In {@code mvn verify} it runs
 * jcstress's {@code quick} mode on one JVM configuration (the serial collector, each actor compiled
 * alike, biased locking on and off): tens of thousands of samples per test and configuration, about
 * half a minute a test on two cores. jcstress's {@code sanity} mode took a handful of samples per
 * configuration, which tests nothing. {@code -Dherald.jcstress.mode=default} runs every
 * configuration jcstress knows (interpreter, C1 and C2 per actor, compiler stress flags), for hours
 * rather than minutes. The report goes to {@code target/jcstress/}.
 */
class JcstressTest {
  /** The stress tests this module holds: each must have run, and passed. */
  private static final List<String> TESTS =
      List.of(
          "dev.herald.jcstress.MpscQueueStress.TwoProducers",
          "dev.herald.jcstress.MpscQueueStress.OfferAndPoll",
          "dev.herald.jcstress.MpscQueueStress.FullQueue",
          "dev.herald.jcstress.MpmcQueueStress.TwoConsumers",
          "dev.herald.jcstress.MpmcQueueStress.WrapAround",
          "dev.herald.internal.WorkerPoolStress.OneWorker",
          "dev.herald.internal.WorkerPoolStress.TwoWorkers",
          "dev.herald.internal.RingStress.TwoPublishers",
          "dev.herald.internal.RingStress.PublishAndRead",
          "dev.herald.internal.RingStress.LeaveRacesClaim",
          "dev.herald.internal.RingStress.SweepRacesClaim",
          "dev.herald.internal.RingStress.DrainedTogether",
          "dev.herald.internal.RingStress.RunBesideSingle",
          "dev.herald.internal.RingStress.RunAndRead",
          "dev.herald.internal.MpscRunStress.RunBesideSingle",
          "dev.herald.internal.MpscRunStress.RunAndPoll",
          "dev.herald.jcstress.LaneStress.GoingIdle",
          "dev.herald.jcstress.LaneStress.BlockedPublisher",
          "dev.herald.jcstress.LaneStress.EffectAfterCause");

  @Test
  void noForbiddenOutcomeIsSeen() throws IOException, InterruptedException {
    Path report = Path.of("target", "jcstress").toAbsolutePath();
    // A report of an earlier run must not stand for this one's.
    if (Files.isDirectory(report)) {
      try (var old = Files.walk(report)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(report);
    Path log = report.resolve("output.txt");
    String mode = System.getProperty("herald.jcstress.mode", "quick");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.openjdk.jcstress.Main");
    command.addAll(List.of("-m", mode, "-r", report.toString(), "-t", "dev\\.herald\\."));
    if (mode.equals("quick")) {
      command.addAll(List.of("-sc", "false", "-jvmArgs", "-XX:+UseSerialGC"));
    }
    Process p =
        new ProcessBuilder(command)
            // jcstress writes its raw results to its working directory: keep them out of the tree.
            .directory(report.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = p.waitFor(20, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(ended).as("jcstress ended within 20 minutes; output:%n%s", output).isTrue();
    assertThat(p.exitValue()).as("jcstress's exit status; output:%n%s", output).isZero();
    assertThat(output)
        .as("the run's summary")
        .contains("Failed tests: No matches.")
        .contains("Error tests: No matches.");
    for (String test : TESTS) {
      assertThat(report.resolve(test + ".html")).as("%s's report", test).exists();
    }
    assertThat(output).contains("All remaining tests: " + TESTS.size() + " matching test results");
  }
}
