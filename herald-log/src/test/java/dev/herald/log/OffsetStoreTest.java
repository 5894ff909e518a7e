package dev.herald.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetStoreTest {
  @TempDir Path dir;

  @Test
  void commitsAreDurableAndNeverMoveBackwards() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      OffsetStore offsets = d.offsets();
      assertThat(offsets.committed("g", "t")).isEmpty();
      assertThat(offsets.commit("g", "t", 10)).isTrue();
      assertThat(offsets.commit("g", "t", 5)).isFalse();
      assertThat(offsets.commit("g", "t", 10)).isFalse();
      assertThat(offsets.commit("g2", "t", 3)).isTrue();
      assertThat(offsets.commit("g", "u", 7)).isTrue();
      assertThat(offsets.committed("g", "t")).isEqualTo(OptionalLong.of(10));
    }
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      assertThat(d.offsets().committed("g", "t")).isEqualTo(OptionalLong.of(10));
      assertThat(d.offsets().committed("g2", "t")).isEqualTo(OptionalLong.of(3));
      assertThat(d.offsets().committed("g", "u")).isEqualTo(OptionalLong.of(7));
      assertThat(d.offsets().committedGroups("t"))
          .containsExactly(entry("g", 10L), entry("g2", 3L));
      assertThat(d.offsets().committedGroups("u")).containsExactly(entry("g", 7L));
      assertThat(d.offsets().committedGroups("none")).isEmpty();
    }
    assertThat(dir.resolve("consumer-offsets.tmp")).doesNotExist();
  }

  @Test
  void concurrentCommitsOfManyGroupsAreAllDurableAndNeverGoBack() throws Exception {
    int groups = 8;
    int commits = 150;
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      OffsetStore offsets = d.offsets();
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(groups);
      java.util.List<Thread> threads = new java.util.ArrayList<>();
      java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      for (int g = 0; g < groups; g++) {
        String group = "g" + g;
        Thread t =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 1; i <= commits; i++) {
                      assertThat(offsets.commit(group, "t", i)).isTrue();
                      // Whatever carried it, a commit that returned is visible at once.
                      assertThat(offsets.committed(group, "t").getAsLong())
                          .isGreaterThanOrEqualTo(i);
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(errors).isEmpty();
    }
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      for (int g = 0; g < groups; g++) {
        assertThat(d.offsets().committed("g" + g, "t")).isEqualTo(OptionalLong.of(commits));
      }
    }
  }

  @Test
  void anyFlippedBitInTheOffsetsFileIsDetected() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      d.offsets().commit("group", "topic", 123);
    }
    Path file = dir.resolve("consumer-offsets");
    byte[] original = Files.readAllBytes(file);
    for (int pos = 0; pos < original.length; pos++) {
      byte[] damaged = original.clone();
      damaged[pos] ^= 0x20;
      Files.write(file, damaged);
      assertThatThrownBy(() -> LogDirectory.open(dir, LogOptions.defaults()))
          .isInstanceOfSatisfying(
              LogCorruptedException.class, e -> assertThat(e.file()).isEqualTo(file));
    }
    Files.write(file, original);
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      assertThat(d.offsets().committed("group", "topic")).isEqualTo(OptionalLong.of(123));
    }
  }

  static LogFiles.Verification verify(Path dir) throws java.io.IOException {
    return LogFiles.verify(dir, LogOptions.defaults(), (done, total) -> {});
  }

  @Test
  void aCorruptOffsetsFileShowsInVerifyAndARepairRebuildsItSayingWhatWasLost() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      d.topic("orders");
      d.offsets().commit("billing", "orders", 0);
    }
    Path file = dir.resolve("consumer-offsets");
    byte[] damaged = Files.readAllBytes(file);
    damaged[damaged.length - 1] ^= 0x20;
    Files.write(file, damaged);
    assertThat(verify(dir).problems()).anySatisfy(p -> assertThat(p.file()).isEqualTo(file));

    RecoveryReport report = LogDirectory.repair(dir, LogOptions.defaults());
    assertThat(report.rebuiltFiles())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.file()).isEqualTo(file);
              assertThat(r.lost()).contains("billing");
            });
    assertThat(Files.readAllBytes(dir.resolve("consumer-offsets.damaged"))).isEqualTo(damaged);
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      assertThat(d.offsets().committed("billing", "orders")).isEmpty();
    }
    assertThat(verify(dir).isClean()).isTrue();
  }

  @Test
  void aDeletedOffsetsFileIsDetectedNotTakenForNoCommits() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      d.topic("orders");
      d.offsets().commit("billing", "orders", 0);
    }
    Path file = dir.resolve("consumer-offsets");
    Files.delete(file);
    assertThatThrownBy(() -> LogDirectory.open(dir, LogOptions.defaults()))
        .isInstanceOfSatisfying(
            LogCorruptedException.class,
            e -> {
              assertThat(e.file()).isEqualTo(file);
              assertThat(e.getMessage()).contains("missing");
            });
    assertThat(verify(dir).problems())
        .anySatisfy(
            p -> {
              assertThat(p.file()).isEqualTo(file);
              assertThat(p.reason()).contains("missing");
            });
    RecoveryReport report = LogDirectory.repair(dir, LogOptions.defaults());
    assertThat(report.rebuiltFiles())
        .singleElement()
        .satisfies(r -> assertThat(r.file()).isEqualTo(file));
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      assertThat(d.offsets().committed("billing", "orders")).isEmpty();
    }
    assertThat(verify(dir).isClean()).isTrue();
  }

  @Test
  void aFailedCommitLeavesTheStoredOffsetUnchanged() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    LogOptions options = LogOptions.builder().fileLayer(files).build();
    try (LogDirectory d = LogDirectory.open(dir, options)) {
      d.offsets().commit("g", "t", 1);
      files.failForce(1);
      assertThatThrownBy(() -> d.offsets().commit("g", "t", 2))
          .isInstanceOf(UncheckedIOException.class);
      assertThat(d.offsets().committed("g", "t")).isEqualTo(OptionalLong.of(1));
    }
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      assertThat(d.offsets().committed("g", "t")).isEqualTo(OptionalLong.of(1));
    }
  }
}
