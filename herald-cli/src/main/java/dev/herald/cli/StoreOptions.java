package dev.herald.cli;

import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.KafkaTransportException;
import dev.herald.log.LogFiles;
import dev.herald.log.LogLockedException;
import dev.herald.log.LogOptions;
import dev.herald.server.GatewayStore;
import dev.herald.server.KafkaGatewayStore;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/**
 * Which store to open: {@code --data DIR} (an embedded durable log) or {@code --kafka BOOTSTRAP}.
 * Used in an exclusive argument group, so at most one is given.
 */
final class StoreOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      required = true,
      description = "An embedded durable log directory.")
  Path data;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      required = true,
      description = "A Kafka cluster's bootstrap servers (host:port,...).")
  String kafka;

  /** How the store is named in messages: {@code log at DIR} or {@code kafka at BOOTSTRAP}. */
  String describe() {
    return data != null ? "log at " + data.toAbsolutePath().normalize() : "kafka at " + kafka;
  }

  /**
   * Opens the store. The log directory is created when missing.
   *
   * @throws Failure when the directory is locked by another process, cannot be opened, or the
   *     cluster cannot be reached
   */
  GatewayStore open(KafkaOptions topics) {
    return open("a running 'herald serve' holds it: use --url to go through its gateway", topics);
  }

  /**
   * Opens the store, on Kafka with {@code topics}; {@code lockedHint} says what to do when another
   * process holds the log.
   */
  GatewayStore open(String lockedHint, KafkaOptions topics) {
    if (data != null) {
      return openLog(data, lockedHint);
    }
    try {
      return KafkaGatewayStore.open(
          kafka, topics.eventsTopic, topics.deadLetterTopic, topics.groupPrefix);
    } catch (RuntimeException e) {
      throw cannotUse(e);
    }
  }

  /**
   * Opens the store for a command that only reads, as {@link #open(KafkaOptions)} does, except that
   * it creates nothing: on Kafka no topic, in a directory that holds no log no log files. Either
   * way nothing was published there, and the target answers so without a store.
   *
   * @throws Failure as {@link #open(KafkaOptions)}
   */
  Target openExisting(KafkaOptions topics, PrintWriter err) {
    if (data != null) {
      if (!LogFiles.isLogDirectory(data, LogOptions.defaults())) {
        return new NothingPublished(
            "no Herald log in "
                + data
                + " (no topics/ inside): nothing published there yet (--data names another)",
            describe(),
            err);
      }
      return new StoreTarget(open(topics), describe());
    }
    try {
      return new StoreTarget(
          KafkaGatewayStore.openExisting(
              kafka, topics.eventsTopic, topics.deadLetterTopic, topics.groupPrefix),
          describe());
    } catch (KafkaTransportException e) {
      if (e.missingTopics().isEmpty()) {
        throw cannotUse(e);
      }
      return new NothingPublished(missing(e.missingTopics(), topics), describe(), err);
    } catch (RuntimeException e) {
      throw cannotUse(e);
    }
  }

  /**
   * The line that says a topic is missing: the events topic when it is, else the dead-letter topic,
   * with the option that names another.
   */
  private String missing(List<String> missing, KafkaOptions topics) {
    String events =
        topics.eventsTopic != null ? topics.eventsTopic : KafkaTransport.DEFAULT_EVENTS_TOPIC;
    boolean noEvents = missing.contains(events);
    return "no topic '"
        + (noEvents ? events : missing.get(0))
        + "' on "
        + kafka
        + (noEvents
            ? ": nothing published there yet (--events-topic names another)"
            : ": nothing dead-lettered there yet (--dead-letter-topic names another)");
  }

  /**
   * Why the cluster cannot be used: a bootstrap address the Kafka client refuses as malformed is
   * the command line's (a usage error), anything else one line of failure.
   */
  private RuntimeException cannotUse(RuntimeException e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      // The client refuses hosts that do not resolve with the same exception: that is the
      // network's answer, a failure as an unresolvable --url is, not a malformed option.
      if (c instanceof ConfigException && !String.valueOf(c.getMessage()).contains("resolvable")) {
        return UsageError.of("--kafka", e.getMessage(), e);
      }
    }
    return new Failure("cannot use the Kafka cluster at " + kafka + ": " + e.getMessage(), e);
  }

  private static GatewayStore openLog(Path dir, String lockedHint) {
    try {
      return LogGatewayStore.open(dir);
    } catch (LogLockedException e) {
      throw new Failure("cannot open " + dir + ": " + e.getMessage() + " (" + lockedHint + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new Failure("cannot open the log directory " + dir + ": " + reason(dir, e), e);
    }
  }

  /**
   * Why {@code dir} could not be opened, in words: a file system exception's message is often only
   * the path (a regular file given as the directory fails with the file's name and nothing else).
   */
  private static String reason(Path dir, Exception e) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return "not a directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
  }
}
