package dev.herald.server;

import java.util.HashSet;
import java.util.Set;

/**
 * The rule a redrive of all of a group's dead letters follows, listing them page by page, so that
 * it ends whatever the subscription does with what it gets: each event (CloudEvents' source and id)
 * is redriven at most once per run. A redrive republishes the event, so a subscription that still
 * fails dead-letters it again, as a new dead letter at a new position; redriving that one too would
 * go round for as long as the subscription fails. Such dead letters are left listed and counted.
 * Used by the gateway's redrive of all and by the command line's. One run, one thread.
 */
public final class RedriveRun {
  /** What to do with a listed dead letter. */
  public enum Verdict {
    /** Redrive it. */
    REDRIVE,
    /** Leave it listed: its event was redriven in this run, or is redriven from this page. */
    LEAVE,
    /** It was redriven in this run and is listed again: the store did not resolve it. */
    LISTED_AGAIN
  }

  private final Set<String> redrivenPositions = new HashSet<>();
  private final Set<String> redrivenEvents = new HashSet<>();
  private final Set<String> left = new HashSet<>();
  private final Set<String> eventsInPage = new HashSet<>();

  /** A run that has redriven nothing yet. */
  public RedriveRun() {}

  /** A new listing starts: its dead letters are judged next. */
  public void newPage() {
    eventsInPage.clear();
  }

  /**
   * What to do with the dead letter at {@code position}, of the event {@code source}, {@code id}.
   */
  public Verdict judge(String position, String source, String id) {
    if (redrivenPositions.contains(position)) {
      return Verdict.LISTED_AGAIN;
    }
    if (left.contains(position)) {
      return Verdict.LEAVE;
    }
    String event = key(source, id);
    if (redrivenEvents.contains(event) || !eventsInPage.add(event)) {
      left.add(position);
      return Verdict.LEAVE;
    }
    return Verdict.REDRIVE;
  }

  /** The dead letter at {@code position}, of that event, is being redriven. */
  public void redriven(String position, String source, String id) {
    redrivenPositions.add(position);
    redrivenEvents.add(key(source, id));
  }

  /**
   * Dead letters seen so far whose event this run redrove already: they are left listed. Not all
   * that stay listed: a redriven event can be dead-lettered again after the run has looked.
   */
  public int left() {
    return left.size();
  }

  private static String key(String source, String id) {
    return source + '\u0000' + id;
  }
}
