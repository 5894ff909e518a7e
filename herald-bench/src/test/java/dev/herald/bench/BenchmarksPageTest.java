package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The page's prose is a format string: a stray percent sign fails here, not at the end of a run.
 */
class BenchmarksPageTest {
  @Test
  void rendersWithEverySectionAndWithout() {
    String full =
        BenchmarksPage.render(
            MachineInfo.current(),
            "20260101T000000Z",
            "BUS TABLES\n",
            "- SETTINGS\n",
            "- LIMITS\n",
            "LOG SECTIONS\n",
            "KAFKA\n");
    assertThat(full)
        .contains("Full run `20260101T000000Z`")
        .contains("BUS TABLES")
        .contains("LOG SECTIONS")
        .contains("KAFKA")
        .contains("## What this run says about Herald's settings")
        .contains("- SETTINGS")
        .contains("## What limits Herald against the targets\n\n- LIMITS");
    assertThat(
            BenchmarksPage.render(
                MachineInfo.current(), "20260101T000000Z", "BUS\n", "", "", "", ""))
        .contains("## Durable log\n\nNot measured in this run.")
        .contains("## Kafka\n\nNot measured in this run.");
  }
}
