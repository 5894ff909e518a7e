package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * What the operator commands work against: a running gateway ({@link HttpTarget}, {@code --url}) or
 * a store opened directly ({@link StoreTarget}, {@code --data} / {@code --kafka}). Both answer in
 * the gateway's JSON shapes (docs/server.md), so a command prints the same whichever it uses. Owned
 * by the command's thread.
 */
interface Target extends AutoCloseable {

  /** How the target is named in messages. */
  String describe();

  /**
   * Publishes events given as structured CloudEvents JSON and answers one result per event, in
   * order: {@code {"index", "id", "status": 202, "position"}} when stored, {@code {"index", "id",
   * "status", "detail"[, "attribute"]}} when refused.
   *
   * @throws Failure when nothing could be published (unreachable, unauthorized)
   */
  List<ObjectNode> publish(List<ObjectNode> events);

  /**
   * Streams stored events to {@code sink} until it returns false, {@code stop} is asked, or the
   * calling thread is interrupted.
   *
   * @param from {@code earliest}, {@code latest} or a position (the events after it)
   * @param limit the most events the sink will take ({@code Long.MAX_VALUE}: no limit); over HTTP
   *     the gateway is asked for no more, so that a group acknowledges only what the sink took
   */
  void tail(String types, String from, String group, long limit, Sink sink)
      throws InterruptedException;

  /**
   * Streams the stored events of a range to {@code sink}, in order, and returns at its end (or when
   * the sink returns false, or the calling thread is interrupted), stepping {@code progress} as it
   * reads.
   *
   * @param from {@code earliest} or a position (the events after it)
   * @param to {@code latest} (the end of what was stored when the replay began) or a position (the
   *     last event of the range)
   * @throws UsageError if {@code from} or {@code to} is not a position of the target, or a bound it
   *     cannot serve
   */
  void replay(String types, String from, String to, Progress progress, Sink sink)
      throws InterruptedException;

  /** {@code {"groups": [...]}}. */
  JsonNode groups();

  /** The unresolved dead letters of {@code group}, oldest first, as an array of DL objects. */
  List<ObjectNode> deadLetters(String group, int limit);

  /** One dead letter, or empty when there is none at {@code position}. */
  Optional<ObjectNode> deadLetter(String position);

  /**
   * Redrives the dead letter at {@code position}.
   *
   * @throws Failure when there is none
   */
  void redrive(String position);

  @Override
  void close();

  /** Receives a tail's events on the tailing thread. */
  interface Sink {
    /**
     * @param position the event's position (null when the gateway did not tell it)
     * @param event the event as structured CloudEvents JSON
     * @return false to stop
     */
    boolean accept(String position, ObjectNode event);
  }
}
