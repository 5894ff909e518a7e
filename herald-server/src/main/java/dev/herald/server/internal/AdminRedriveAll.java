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
 * not stop the others. Runs on the calling request thread; one use per instance.
 */
final class AdminRedriveAll {
  static final int PAGE = 100;

  private final GatewayStore store;
  private final String group;

  AdminRedriveAll(GatewayStore store, String group) {
    this.store = store;
    this.group = group;
  }

  record Outcome(long redriven, long failed, String firstFailure) {}

  Outcome run() {
    Set<String> failedPositions = new HashSet<>();
    Set<String> done = new HashSet<>();
    long redriven = 0;
    String firstFailure = null;
    while (true) {
      int limit = Math.min(AdminApi.MAX_LIMIT, failedPositions.size() + PAGE);
      List<StoredDeadLetter> page = new ArrayList<>();
      for (StoredDeadLetter dl : store.deadLetters(group, limit)) {
        if (done.contains(dl.position())) {
          // Redriven, yet listed again: the store did not resolve it; never redrive it twice.
          failedPositions.add(dl.position());
          firstFailure =
              firstFailure != null ? firstFailure : dl.position() + ": listed after its redrive";
        } else if (!failedPositions.contains(dl.position())) {
          page.add(dl);
        }
      }
      if (page.isEmpty()) {
        break;
      }
      List<CompletableFuture<Void>> redrives = new ArrayList<>(page.size());
      for (StoredDeadLetter dl : page) {
        redrives.add(store.redrive(dl));
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
    return new Outcome(redriven, failedPositions.size(), firstFailure);
  }
}
