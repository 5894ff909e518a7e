package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * A Kafka cluster without the topics a read-only command was to read, which it must not create: no
 * group committed there, no dead letter is there, and a tail says why it cannot follow. Each
 * listing says on standard error, in one line, which topic is missing, so a mistyped {@code
 * --events-topic} is not taken for an empty one. Owned by the command's thread.
 */
final class NothingPublished implements Target {
  private final String why;
  private final String description;
  private final PrintWriter err;

  /**
   * @param why one line: which topic is missing where, and which option names another
   */
  NothingPublished(String why, String description, PrintWriter err) {
    this.why = why;
    this.description = description;
    this.err = err;
  }

  @Override
  public String describe() {
    return description;
  }

  /** Not for a read-only command: {@link TargetOptions#open()} creates the topics. */
  @Override
  public List<ObjectNode> publish(List<ObjectNode> events) {
    throw new IllegalStateException("a read-only target does not publish");
  }

  @Override
  public void tail(String types, String from, String group, long limit, Sink sink) {
    throw new Failure(why);
  }

  @Override
  public void replay(String types, String from, String to, Progress progress, Sink sink) {
    throw new Failure(why);
  }

  @Override
  public JsonNode groups() {
    note();
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.putArray("groups");
    return root;
  }

  @Override
  public List<ObjectNode> deadLetters(String group, int limit) {
    note();
    return List.of();
  }

  @Override
  public Optional<ObjectNode> deadLetter(String position) {
    note();
    return Optional.empty();
  }

  /** Not for a read-only command: {@link TargetOptions#open()} creates the topics. */
  @Override
  public void redrive(String position) {
    throw new IllegalStateException("a read-only target does not redrive");
  }

  private void note() {
    err.println("herald: " + why);
    err.flush();
  }

  @Override
  public void close() {
    // nothing was opened
  }
}
