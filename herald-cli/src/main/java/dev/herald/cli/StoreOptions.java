package dev.herald.cli;

import dev.herald.log.LogLockedException;
import dev.herald.server.GatewayStore;
import dev.herald.server.KafkaGatewayStore;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
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
      throw new Failure("cannot use the Kafka cluster at " + kafka + ": " + e.getMessage(), e);
    }
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
