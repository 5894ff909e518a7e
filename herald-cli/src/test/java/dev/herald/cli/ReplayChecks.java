package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What {@code events replay} does on every target ({@code --url}, {@code --data}, {@code --kafka}):
 * five events published through the command line, three of {@code T.a} then two of {@code T.b},
 * read back by range. They have one key, so that on Kafka they are in one partition, whose order is
 * the only one Kafka keeps.
 */
final class ReplayChecks {
  private final Function<List<String>, Run> cli;
  private final String type;
  final List<String> positions = new ArrayList<>();

  /**
   * @param cli runs the command line with the target's options added
   * @param type the types' prefix, so that the events are this test's own on a shared store
   */
  ReplayChecks(Function<List<String>, Run> cli, String type) {
    this.cli = cli;
    this.type = type;
  }

  Run run(String... args) {
    return cli.apply(List.of(args));
  }

  /** Publishes a0, a1, a2, b0, b1 one by one and keeps their positions. */
  ReplayChecks publish() throws IOException {
    for (int i = 0; i < 5; i++) {
      String t = i < 3 ? "a" : "b";
      String id = t + (i < 3 ? i : i - 3);
      Run p =
          run(
              "events",
              "publish",
              "--type",
              type + "." + t,
              "--id",
              id,
              "--key",
              "one-partition",
              "--payload",
              Integer.toString(i),
              "-o",
              "json");
      assertThat(p.status()).as(p.err()).isZero();
      positions.add(p.json().get("results").get(0).get("position").asText());
    }
    return this;
  }

  /** The ids a replay printed, in order, after checking it succeeded. */
  List<String> ids(Run replay) throws IOException {
    assertThat(replay.status()).as(replay.err()).isZero();
    List<String> ids = new ArrayList<>();
    for (JsonNode e : replay.json().get("events")) {
      ids.add(e.get("event").get("id").asText());
    }
    return ids;
  }

  /** A range, a range with a type filter, an empty range, and bad bounds. */
  void rangesAndBadBounds() throws IOException {
    String first = positions.get(0);
    String last = positions.get(4);
    Run range = run("events", "replay", "--from", first, "--to", last, "-o", "json");
    assertThat(ids(range)).containsExactly("a1", "a2", "b0", "b1");
    List<String> seen = new ArrayList<>();
    range.json().get("events").forEach(e -> seen.add(e.get("position").asText()));
    assertThat(seen.get(3)).startsWith(last);

    Run middle = run("events", "replay", "--from", first, "--to", positions.get(2), "-o", "json");
    assertThat(ids(middle)).containsExactly("a1", "a2");

    Run typed =
        run(
            "events",
            "replay",
            "--from",
            first,
            "--to",
            last,
            "--types",
            type + ".b",
            "-o",
            "json");
    assertThat(ids(typed)).containsExactly("b0", "b1");

    Run empty = run("events", "replay", "--from", last, "--to", last, "-o", "json");
    assertThat(ids(empty)).isEmpty();

    Run text = run("events", "replay", "--from", positions.get(3), "--to", last);
    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out().strip()).startsWith(last).contains(type + ".b  b1  4");

    usageError(run("events", "replay", "--from", "latest", "--to", last), "--from");
    usageError(run("events", "replay", "--from", "bogus", "--to", last), "--from");
    usageError(run("events", "replay", "--to", "x1"), "--to");
  }

  /** Exit status 2 and a first line of standard error that names {@code option}. */
  static void usageError(Run run, String option) {
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(2);
    assertThat(run.err().lines().findFirst().orElse("")).contains(option);
    assertThat(run.err()).doesNotContain("\tat ");
  }
}
