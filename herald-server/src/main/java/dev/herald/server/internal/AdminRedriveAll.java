package dev.herald.server.internal;

import dev.herald.Event;
import dev.herald.server.GatewayStore;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import dev.herald.server.RedriveRun;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Redrives every unresolved dead letter of one group, a page of {@value #PAGE} at a time (the
 * page's redrives run at once; the next page is listed once they are all stored), each event at
 * most once ({@link RedriveRun}). A dead letter whose redrive fails is counted, remembered and
 * skipped, so one that can never be redriven does not stop the others. Runs on the calling request
 * thread; one use per instance.
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
   * @param deadLetteredAgain dead letters of events redriven earlier in the run, seen listed before
   *     it ended (so left listed); those dead-lettered after it ended are not counted
   */
  record Outcome(long redriven, long failed, String firstFailure, long deadLetteredAgain) {}

  Outcome run() {
    RedriveRun rule = new RedriveRun();
    Set<String> failedPositions = new HashSet<>();
    long redriven = 0;
    String firstFailure = null;
    while (true) {
      // The page reaches past the dead letters skipped so far, which stay listed.
      int limit = Math.min(AdminApi.MAX_LIMIT, failedPositions.size() + rule.left() + PAGE);
      List<StoredDeadLetter> page = new ArrayList<>();
      rule.newPage();
      for (StoredDeadLetter dl : store.deadLetters(group, limit)) {
        String position = dl.position();
        if (failedPositions.contains(position)) {
          continue;
        }
        Event<?> e = dl.deadLetter().event();
        switch (rule.judge(position, e.source(), e.id())) {
          case REDRIVE -> page.add(dl);
          case LEAVE -> {}
          case LISTED_AGAIN -> {
            // Redriven, yet listed again: the store did not resolve it; never redrive it twice.
            failedPositions.add(position);
            firstFailure =
                firstFailure != null ? firstFailure : position + ": listed after its redrive";
          }
        }
      }
      if (page.isEmpty()) {
        break;
      }
      List<CompletableFuture<Void>> redrives = new ArrayList<>(page.size());
      for (StoredDeadLetter dl : page) {
        redrives.add(store.redrive(dl));
        Event<?> e = dl.deadLetter().event();
        rule.redriven(dl.position(), e.source(), e.id());
      }
      for (int i = 0; i < page.size(); i++) {
        try {
          AdminApi.await(redrives.get(i));
          redriven++;
        } catch (ApiError e) {
          failedPositions.add(page.get(i).position());
          if (firstFailure == null) {
            firstFailure = page.get(i).position() + ": " + e.getMessage();
          }
        }
      }
    }
    return new Outcome(redriven, failedPositions.size(), firstFailure, rule.left());
  }
}
