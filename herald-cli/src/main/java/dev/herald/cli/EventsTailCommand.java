package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.TypePattern;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code events tail}: follows stored events, over the gateway's Server-Sent Events stream (which
 * it resumes with {@code Last-Event-ID} when the connection drops) or a store's cursor directly.
 * Runs on the calling thread until {@code --limit} events were printed, or Ctrl-C: a shutdown hook
 * interrupts that thread and waits for it to print what it has (the JSON document) and close.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Follow stored events: one line each (position, type, id, data), or with --output json one"
          + " document {\"events\": [{\"position\", \"event\"}]} at the end (--limit, or Ctrl-C).",
      "Over --url, a dropped stream is resumed from the last position seen, with no gap and no"
          + " duplicate."
    })
final class EventsTailCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions target;

  @Mixin OutputOptions output;

  @Option(
      names = "--types",
      paramLabel = "PATTERN",
      defaultValue = "#",
      description = "Type pattern: * one segment, # any number (default: ${DEFAULT-VALUE}).")
  String types;

  @Option(
      names = "--from",
      paramLabel = "WHERE",
      defaultValue = "latest",
      description =
          "earliest, latest (default: only new events) or a POSITION (the events after it).")
  String from;

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description = "Read as consumer group GROUP, whose position the gateway keeps (--url only).")
  String group;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Stop after N events. Over --url the gateway sends no more, so with --group the group"
              + " acknowledges only the N printed; the rest stays the group's.")
  Long limit;

  @Override
  public Integer call() throws InterruptedException {
    if (limit != null && limit <= 0) {
      throw new ParameterException(spec.commandLine(), "--limit must be > 0: " + limit);
    }
    if (group != null && target.direct()) {
      throw new ParameterException(
          spec.commandLine(),
          "--group needs --url: a group's position is kept by the gateway's bus");
    }
    try {
      TypePattern.of(types);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--types: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    ArrayNode events = Json.MAPPER.createArrayNode();
    long max = limit == null ? Long.MAX_VALUE : limit;
    long[] printed = {0};
    Target.Sink sink =
        (position, event) -> {
          if (output.json()) {
            ObjectNode e = events.addObject();
            e.put("position", position);
            e.set("event", event);
          } else {
            out.println(line(position, event));
            out.flush();
          }
          return ++printed[0] < max;
        };
    CountDownLatch done = new CountDownLatch(1);
    Interruptible tail = new Interruptible(Thread.currentThread());
    Thread hook = new Thread(() -> stop(tail, done), "herald-events-tail-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Target t = target.openToRead();
      try {
        t.tail(types, from, group, max, sink);
      } catch (InterruptedException e) {
        // stopped by Ctrl-C or an interrupt: what was read stands
      } finally {
        // Ctrl-C interrupts the tail only: closing the store (a Kafka producer joining its I/O
        // thread) runs to its end, without an error and a stack trace for an interrupted join.
        tail.over();
        t.close();
      }
    } finally {
      if (output.json()) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("events", events);
        OutputOptions.print(out, root);
      }
      out.flush();
      done.countDown();
      removeHook(hook);
    }
    return 0;
  }

  private static String line(String position, ObjectNode event) {
    JsonNode data = event.has("data") ? event.get("data") : event.get("data_base64");
    return (position == null ? "-" : position)
        + "  "
        + event.path("type").asText()
        + "  "
        + event.path("id").asText()
        + "  "
        + (data == null ? "" : data.toString());
  }

  /** The tailing thread, interrupted by Ctrl-C while it tails and never after. */
  private static final class Interruptible {
    private final Thread thread;
    private boolean tailing = true; // guarded by this

    Interruptible(Thread thread) {
      this.thread = thread;
    }

    synchronized void interrupt() {
      if (tailing) {
        thread.interrupt();
      }
    }

    /** Called by the tailing thread once the tail is over: clears a Ctrl-C that came meanwhile. */
    synchronized void over() {
      tailing = false;
      Thread.interrupted();
    }
  }

  private static void stop(Interruptible tail, CountDownLatch done) {
    tail.interrupt();
    try {
      done.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running and waits for this thread
    }
  }
}
