package dev.herald.server.internal;

import dev.herald.server.GatewayStore;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Redrives every unresolved dead letter of one group, a page of {@value #PAGE} at a time (the
 * page's redrives run at once; the next page is listed once they are all stored). A dead letter
 * whose redrive fails is counted, remembered and skipped, so one that can never be redriven does
 * not stop the others.
 *
 * <p>Each event is redriven at most once per run: a redrive republishes the event (its id and
 * source), so a subscription that still fails dead-letters it again, as a new dead letter at a new
 * position; redriving that one too would go round for as long as the subscription fails. Such dead
 * letters are left listed and counted. Runs on the calling request thread; one use per instance.
 */
final class AdminRedriveAll {
  static final int PAGE = 100;

  private final GatewayStore store;
  private final String group;

  AdminRedriveAll(GatewayStore store, String group) {
    this.store = store;
    this.group = group;
  }

  /**
   * @param left dead letters left listed because their event was redriven earlier in the run
   */
  record Outcome(long redriven, long failed, String firstFailure, long left) {}

  Outcome run() {
    Set<String> failedPositions = new HashSet<>();
    Set<String> done = new HashSet<>();
    Set<String> eventsRedriven = new HashSet<>();
    Set<String> left = new HashSet<>();
    long redriven = 0;
    String firstFailure = null;
    while (true) {
      // The page reaches past the dead letters skipped so far, which stay listed.
      int limit = Math.min(AdminApi.MAX_LIMIT, failedPositions.size() + left.size() + PAGE);
      List<StoredDeadLetter> page = new ArrayList<>();
      Set<String> eventsInPage = new HashSet<>();
      for (StoredDeadLetter dl : store.deadLetters(group, limit)) {
        String position = dl.position();
        if (done.contains(position)) {
          // Redriven, yet listed again: the store did not resolve it; never redrive it twice.
          failedPositions.add(position);
          firstFailure =
              firstFailure != null ? firstFailure : position + ": listed after its redrive";
        } else if (failedPositions.contains(position) || left.contains(position)) {
          continue;
        } else if (eventsRedriven.contains(eventKey(dl)) || !eventsInPage.add(eventKey(dl))) {
          left.add(position);
        } else {
          page.add(dl);
        }
      }
      if (page.isEmpty()) {
        break;
      }
      List<CompletableFuture<Void>> redrives = new ArrayList<>(page.size());
      for (StoredDeadLetter dl : page) {
        redrives.add(store.redrive(dl));
        eventsRedriven.add(eventKey(dl));
      }
      for (int i = 0; i < page.size(); i++) {
        try {
          AdminApi.await(redrives.get(i));
          done.add(page.get(i).position());
          redriven++;
        } catch (ApiError e) {
          failedPositions.add(page.get(i).position());
          if (firstFailure == null) {
            firstFailure = page.get(i).position() + ": " + e.getMessage();
          }
        }
      }
    }
    return new Outcome(redriven, failedPositions.size(), firstFailure, left.size());
  }

  /** The dead letter's event as CloudEvents identify one: source and id. */
  private static String eventKey(StoredDeadLetter dl) {
    return dl.deadLetter().event().source() + "\u0000" + dl.deadLetter().event().id();
  }
}
