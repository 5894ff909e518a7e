package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herald groups}: each consumer group's committed position, end and lag per partition. */
@Command(
    name = "groups",
    mixinStandardHelpOptions = true,
    description =
        "Show the consumer groups: per partition the committed offset, the end and the lag.")
final class GroupsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions target;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    JsonNode groups;
    try (Target t = target.openToRead()) {
      groups = t.groups();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      OutputOptions.print(out, groups);
      return 0;
    }
    if (groups.path("groups").isEmpty()) {
      out.println("No consumer groups have committed offsets.");
      return 0;
    }
    Table table = new Table("GROUP", "PARTITION", "COMMITTED", "END", "LAG");
    for (JsonNode g : groups.path("groups")) {
      for (JsonNode p : g.path("partitions")) {
        table.row(
            g.path("group").asText(),
            p.path("partition").asText(),
            p.path("committed").asLong(),
            p.path("end").asLong(),
            p.path("lag").asLong());
      }
    }
    table.print(out);
    return 0;
  }
}
