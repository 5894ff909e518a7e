package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.RedriveRun;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herald dlq list|show|redrive}: browse dead letters without consuming them, and send them
 * back to the subscription or group that gave up on them.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = "Browse and redrive dead letters.",
    subcommands = {
      DlqCommand.ListCommand.class,
      DlqCommand.ShowCommand.class,
      DlqCommand.RedriveCommand.class
    })
final class DlqCommand implements Runnable {
  /** The most dead letters one listing asks for; a redrive of all goes page by page. */
  static final int PAGE = 1000;

  /** How many dead letters {@code redrive --all} lists at a time, past those it leaves. */
  static final int PAGE_STEP = 100;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing dlq command");
  }

  /** {@code dlq list [--group G] [--limit N]}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List a group's unresolved dead letters (every group's without --group), oldest first,"
              + " without consuming them.")
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TargetOptions target;

    @Mixin OutputOptions output;

    @Option(
        names = "--group",
        paramLabel = "GROUP",
        description =
            "The consumer group (or subscription) whose dead letters to list; without it, every"
                + " group's, and those of records that name none.")
    String group;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit <= 0 || limit > PAGE) {
        throw new ParameterException(
            spec.commandLine(), "--limit must be within [1, " + PAGE + "]: " + limit);
      }
      List<ObjectNode> list;
      try (Target t = target.openToRead()) {
        list = t.deadLetters(group, limit);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("deadLetters").addAll(list);
        OutputOptions.print(out, root);
        return 0;
      }
      if (list.isEmpty()) {
        out.println(
            group == null ? "No dead letters." : "No dead letters for group " + group + ".");
        return 0;
      }
      Table table =
          new Table("POSITION", "SUBSCRIPTION", "ATTEMPTS", "CAUSE", "TIME", "TYPE", "ID");
      for (JsonNode d : list) {
        table.row(
            d.path("position").asText(),
            d.path("subscription").asText(),
            d.path("attempts").asInt(),
            cause(d),
            d.path("time").asText(),
            d.path("event").path("type").asText(),
            d.path("event").path("id").asText());
      }
      table.print(out);
      return 0;
    }
  }

  static String cause(JsonNode d) {
    String type = d.path("causeType").asText();
    String message = d.path("causeMessage").asText(null);
    return message == null || message.isEmpty() ? type : type + ": " + message;
  }

  /** {@code dlq show POSITION}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one dead letter with its event. Exit 1 when there is none there.")
  static final class ShowCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TargetOptions target;

    @Mixin OutputOptions output;

    @Parameters(paramLabel = "POSITION", description = "The dead letter's position.")
    String position;

    @Override
    public Integer call() throws Exception {
      ObjectNode d;
      try (Target t = target.openToRead()) {
        d =
            t.deadLetter(position)
                .orElseThrow(() -> new Failure("no dead letter at position " + position));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputOptions.print(out, d);
        return 0;
      }
      out.println("position      " + d.path("position").asText());
      out.println("subscription  " + d.path("subscription").asText());
      out.println("attempts      " + d.path("attempts").asInt());
      out.println("cause         " + cause(d));
      out.println("time          " + d.path("time").asText());
      out.println("event");
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(d.get("event")));
      return 0;
    }
  }

  /** {@code dlq redrive POSITION} and {@code dlq redrive --all --group G}. */
  @Command(
      name = "redrive",
      mixinStandardHelpOptions = true,
      description = {
        "Send a dead letter back to the subscription or group that gave up on it (POSITION), or"
            + " all of a group's (--all --group G, with a progress bar).",
        "Exit status: 0 done, 1 none there or a redrive failed, 2 usage error."
      })
  static final class RedriveCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Spec CommandSpec spec;

    @Mixin TargetOptions target;

    @Mixin OutputOptions output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    /** One dead letter, or all of a group's. */
    static final class Which {
      @Parameters(paramLabel = "POSITION", arity = "1", description = "The dead letter's position.")
      String position;

      @Option(names = "--all", required = true, description = "Every dead letter of --group.")
      boolean all;
    }

    @Option(names = "--group", paramLabel = "GROUP", description = "The group, with --all.")
    String group;

    @Option(
        names = "--progress",
        description = "Draw the progress bar even when standard error is not a terminal.")
    boolean progress;

    RedriveCommand(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      if (which.all && group == null) {
        throw new ParameterException(spec.commandLine(), "--all needs --group GROUP");
      }
      if (!which.all && group != null) {
        throw new ParameterException(spec.commandLine(), "--group goes with --all");
      }
      long redriven;
      try (Target t = target.open()) {
        redriven = which.all ? redriveAll(t) : redriveOne(t);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputOptions.print(out, Json.MAPPER.createObjectNode().put("redriven", redriven));
      } else {
        out.println("redriven " + redriven);
      }
      return 0;
    }

    private long redriveOne(Target t) {
      t.redrive(which.position);
      return 1;
    }

    /**
     * Page by page, each dead letter on its own, so the bar moves and a failure names the dead
     * letter it stopped at. Ends, whatever the subscription does with what it gets: each event is
     * redriven at most once ({@link RedriveRun}), and the dead letters of events redriven already
     * are left listed. A dead letter listed again after its own redrive (the store did not resolve
     * it) stops the run rather than go round.
     */
    private long redriveAll(Target t) {
      RedriveRun rule = new RedriveRun();
      long redriven = 0;
      spec.commandLine().getErr().flush();
      try (Progress bar = Progress.start(terminal, progress, "redriving " + group, -1, "", 1)) {
        while (true) {
          // The oldest first: those left are newer than those still to do, but a page must reach
          // past them to those (a few at most: originals of an event dead-lettered twice).
          List<ObjectNode> page = t.deadLetters(group, Math.min(PAGE, rule.left() + PAGE_STEP));
          List<ObjectNode> todo = new ArrayList<>();
          rule.newPage();
          for (ObjectNode d : page) {
            String position = d.path("position").asText();
            JsonNode e = d.path("event");
            switch (rule.judge(position, e.path("source").asText(), e.path("id").asText())) {
              case REDRIVE -> todo.add(d);
              case LEAVE -> {}
              case LISTED_AGAIN ->
                  throw new Failure(
                      "dead letter " + position + " is still listed after its redrive; stopped");
            }
          }
          bar.total(redriven + todo.size());
          if (todo.isEmpty()) {
            break;
          }
          for (ObjectNode d : todo) {
            String position = d.path("position").asText();
            t.redrive(position);
            JsonNode e = d.path("event");
            rule.redriven(position, e.path("source").asText(), e.path("id").asText());
            redriven++;
            bar.step();
          }
        }
      }
      if (rule.left() > 0) {
        spec.commandLine()
            .getErr()
            .println(
                "herald: "
                    + rule.left()
                    + " redriven event(s) were dead-lettered again while this ran and stay"
                    + " listed (more may follow; dlq list shows what is left)");
        spec.commandLine().getErr().flush();
      }
      return redriven;
    }
  }
}
