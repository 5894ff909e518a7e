package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints the events a read of a {@link Target} gives ({@code events tail}, {@code events replay}):
 * one line each (position, type, id, data), or with {@code --output json} one document {@code
 * {"events": [{"position", "event"}]}} once the read is over. The read runs on the calling thread;
 * Ctrl-C (a shutdown hook) interrupts it and waits for this to print what was read and close the
 * target.
 */
final class EventListing {
  private EventListing() {}

  /** A read of a target that feeds a sink until it ends, the sink stops it, or an interrupt. */
  interface Read {
    void run(Target target, Target.Sink sink) throws InterruptedException;
  }

  /**
   * Opens the target, runs {@code read} and prints what it gives, at most {@code max} events.
   *
   * @param hookName the name of the shutdown hook's thread
   */
  static void print(
      PrintWriter out, boolean json, TargetOptions target, long max, String hookName, Read read) {
    ArrayNode events = Json.MAPPER.createArrayNode();
    long[] printed = {0};
    Target.Sink sink =
        (position, event) -> {
          if (json) {
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
    Interruptible reading = new Interruptible(Thread.currentThread());
    Thread hook = new Thread(() -> stop(reading, done), hookName);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Target t = target.openToRead();
      try {
        read.run(t, sink);
      } catch (InterruptedException e) {
        // stopped by Ctrl-C or an interrupt: what was read stands
      } finally {
        // Ctrl-C interrupts the read only: closing the store (a Kafka producer joining its I/O
        // thread) runs to its end, without an error and a stack trace for an interrupted join.
        reading.over();
        t.close();
      }
    } finally {
      if (json) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("events", events);
        OutputOptions.print(out, root);
      }
      out.flush();
      done.countDown();
      ShutdownHooks.remove(hook);
    }
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

  /** The reading thread, interrupted by Ctrl-C while it reads and never after. */
  private static final class Interruptible {
    private final Thread thread;
    private boolean reading = true; // guarded by this

    Interruptible(Thread thread) {
      this.thread = thread;
    }

    synchronized void interrupt() {
      if (reading) {
        thread.interrupt();
      }
    }

    /** Called by the reading thread once the read is over: clears a Ctrl-C that came meanwhile. */
    synchronized void over() {
      reading = false;
      Thread.interrupted();
    }
  }

  private static void stop(Interruptible reading, CountDownLatch done) {
    reading.interrupt();
    try {
      done.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
