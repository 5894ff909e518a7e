package dev.herald.cli;

import dev.herald.log.LogFiles;
import dev.herald.log.LogOptions;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.ReadOnlyLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code log tail}: prints records as JSON lines (see {@link Json}). Opens the topic read-only
 * ({@link LogFiles#openReadOnly}): it takes no lock, so it reads a log that a running application
 * has open, and it never writes, truncates or repairs (a record still being written at the end of
 * the active segment is waited for, not reported; recovery stays the writer's job). While
 * following, the calling thread waits in {@link LogReader#next}, woken by a directory watch and at
 * least every {@link #POLL_INTERVAL}; a shutdown hook (Ctrl-C) wakes it and waits for the topic to
 * close before the JVM exits, and an interrupt of the calling thread stops it the same way. Records
 * lost to retention while following are announced on stderr.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print a topic's records as JSON lines.",
      "Without --from-*, starts at the end and follows; with --from-* and no --follow, prints what "
          + "exists and exits. Read-only: takes no lock, so it can follow a log another process "
          + "is writing."
    })
final class TailCommand implements Callable<Integer> {
  private static final Duration WAIT = Duration.ofHours(1);

  /**
   * The longest a follower goes without looking at the files: the directory watch normally wakes it
   * at once, but not on file systems without change notification.
   */
  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  @Spec CommandSpec spec;

  @Mixin LogDirectoryOptions log;

  @Option(
      names = "--topic",
      required = true,
      paramLabel = "TOPIC",
      description = "The topic to read.")
  String topic;

  @ArgGroup(exclusive = true)
  Start start;

  /** Where to start: at most one of these. */
  static final class Start {
    @Option(
        names = "--from-beginning",
        required = true,
        description = "Start at the oldest stored record.")
    boolean beginning;

    @Option(
        names = "--from-offset",
        required = true,
        paramLabel = "N",
        description = "Start at offset N.")
    Long offset;

    @Option(
        names = "--from-time",
        required = true,
        paramLabel = "TIME",
        description =
            "Start at the first record stamped at or after TIME: an ISO-8601 instant "
                + "(2024-05-01T12:00:00Z) or epoch millis.")
    String time;
  }

  @Option(
      names = "--follow",
      description = "Keep waiting for new records until interrupted (Ctrl-C).")
  boolean follow;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  private volatile boolean stopped;

  @Override
  public Integer call() throws IOException {
    Path dir = log.existingLogDirectory();
    LogOptions options = log.options();
    long limit = max == null ? Long.MAX_VALUE : max;
    if (limit < 0) {
      throw new ParameterException(spec.commandLine(), "--max must be >= 0: " + max);
    }
    Long fromTime = start != null && start.time != null ? parseTime(start.time) : null;
    if (start != null && start.offset != null && start.offset < 0) {
      throw new ParameterException(
          spec.commandLine(), "--from-offset must be >= 0: " + start.offset);
    }
    if (!LogFiles.topics(dir, options).contains(topic)) {
      throw new ParameterException(
          spec.commandLine(),
          "no topic '"
              + topic
              + "' in "
              + dir
              + "; topics: "
              + String.join(", ", LogFiles.topics(dir, options)));
    }
    boolean following = start == null || follow;
    PrintWriter err = spec.commandLine().getErr();
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = null;
    try (ReadOnlyLog topicLog =
        LogFiles.openReadOnly(
            dir,
            topic,
            options,
            POLL_INTERVAL,
            (from, to) -> {
              err.println(
                  "herald: offsets "
                      + from
                      + " to "
                      + (to - 1)
                      + " of topic '"
                      + topic
                      + "' were deleted (retention) before they were read; continuing at "
                      + to);
              err.flush();
            })) {
      long endAtStart = topicLog.endOffset();
      try (LogReader reader = reader(topicLog, fromTime)) {
        if (following) {
          hook = new Thread(() -> stop(reader, closed), "herald-tail-stop");
          Runtime.getRuntime().addShutdownHook(hook);
        }
        print(reader, following, endAtStart, limit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopped by an interrupt: what was printed stands
    } finally {
      spec.commandLine().getOut().flush();
      closed.countDown();
      if (hook != null) {
        ShutdownHooks.remove(hook);
      }
    }
    return 0;
  }

  private void print(LogReader reader, boolean following, long endAtStart, long limit)
      throws InterruptedException, IOException {
    PrintWriter out = spec.commandLine().getOut();
    long printed = 0;
    while (!stopped && printed < limit) {
      Optional<LogRecord> r = following ? reader.next(WAIT) : reader.poll();
      if (r.isEmpty()) {
        if (following) {
          continue; // a timeout or a wakeup: the loop condition decides
        }
        break;
      }
      if (!following && r.get().offset() >= endAtStart) {
        break; // print what existed when we started, not what a writer adds meanwhile
      }
      out.println(Json.MAPPER.writeValueAsString(Json.record(r.get())));
      printed++;
    }
    out.flush();
  }

  private LogReader reader(ReadOnlyLog topicLog, Long fromTime) {
    if (start == null) {
      return topicLog.reader(topicLog.endOffset());
    }
    if (start.beginning) {
      return topicLog.readerFromStart();
    }
    if (start.offset != null) {
      return topicLog.reader(start.offset);
    }
    return topicLog.readerFromTimestamp(fromTime);
  }

  /** Shutdown hook: wakes the reader, then lets the topic close before the JVM goes. */
  private void stop(LogReader reader, CountDownLatch closed) {
    stopped = true; // set before the wakeup, so the woken loop sees it
    reader.wakeup();
    try {
      closed.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long parseTime(String text) {
    if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "--from-time out of range: " + text);
      }
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--from-time must be an ISO-8601 instant "
              + "(e.g. 2024-05-01T12:00:00Z) or epoch millis: "
              + text);
    }
  }
}
