package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.Event;
import dev.herald.TypePattern;
import dev.herald.server.GatewayJson;
import dev.herald.server.GatewayStore;
import dev.herald.server.GatewayStore.GroupLag;
import dev.herald.server.GatewayStore.PartitionLag;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import dev.herald.server.GatewayStore.StoredEvent;
import dev.herald.server.HeraldTypes;
import dev.herald.server.PositionGoneException;
import dev.herald.server.StoreBusyException;
import dev.herald.server.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A store opened directly ({@code --data DIR}, {@code --kafka BOOTSTRAP}), through {@link
 * GatewayStore} as the gateway uses it. A log directory admits one process: while a server has it
 * open, go through the server ({@code --url}). Owned by the command's thread.
 */
final class StoreTarget implements Target {
  /** How long a tail waits in the cursor before looking whether it was asked to stop. */
  private static final Duration WAIT = Duration.ofSeconds(1);

  private final GatewayStore store;
  private final String description;

  StoreTarget(GatewayStore store, String description) {
    this.store = store;
    this.description = description;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public List<ObjectNode> publish(List<ObjectNode> events) {
    List<ObjectNode> results = new ArrayList<>(events.size());
    List<CompletableFuture<String>> appends = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      ObjectNode result = Json.MAPPER.createObjectNode().put("index", i);
      results.add(result);
      try {
        Event<Object> e = CloudEventJson.event(events.get(i));
        result.put("id", e.id());
        if (HeraldTypes.isHeralds(e.type())) {
          // As the gateway refuses it: a forged record of Herald's own would steer the next one.
          result.put("status", 403).put("detail", HeraldTypes.REFUSAL).put("attribute", "type");
          appends.add(null);
          continue;
        }
        appends.add(store.append(e));
      } catch (IllegalArgumentException e) {
        result.put("id", events.get(i).path("id").asText(null));
        refuse(result, 400, e.getMessage());
        appends.add(null);
      }
    }
    // All appends in flight at once: the log batches them into few writes.
    for (int i = 0; i < events.size(); i++) {
      if (appends.get(i) == null) {
        continue;
      }
      ObjectNode result = results.get(i);
      try {
        result.put("status", 202).put("position", appends.get(i).join());
      } catch (CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        int status =
            cause instanceof StoreBusyException
                ? 429
                : cause instanceof StoreUnavailableException ? 503 : 400;
        refuse(result, status, cause.getMessage());
      }
    }
    return results;
  }

  private static void refuse(ObjectNode result, int status, String detail) {
    result.put("status", status).put("detail", detail);
    int colon = detail == null ? -1 : detail.indexOf(':');
    if (status == 400 && colon > 0 && detail.substring(0, colon).matches("[a-z_]+")) {
      result.put("attribute", detail.substring(0, colon));
    }
  }

  @Override
  public void tail(String types, String from, String group, long limit, Sink sink)
      throws InterruptedException {
    TypePattern pattern = TypePattern.of(types);
    GatewayStore.Cursor cursor;
    try {
      cursor = store.cursor(from);
    } catch (PositionGoneException e) {
      throw new Failure(e.getMessage() + "; start again with --from earliest", e);
    } catch (IllegalArgumentException e) {
      throw UsageError.from(e.getMessage(), e); // as the gateway answers it: 400
    }
    try (cursor) {
      while (!Thread.currentThread().isInterrupted()) {
        Optional<StoredEvent> next;
        try {
          next = cursor.next(WAIT);
        } catch (PositionGoneException e) {
          throw new Failure(e.getMessage(), e);
        }
        if (next.isEmpty() || !pattern.matches(next.get().event().type())) {
          continue;
        }
        if (!sink.accept(next.get().position(), GatewayJson.event(next.get().event()))) {
          return;
        }
      }
      throw new InterruptedException("stopped");
    }
  }

  /** Reads from a cursor of its own up to the cursor's {@link GatewayStore.Bound}. */
  @Override
  public void replay(String types, String from, String to, Progress progress, Sink sink)
      throws InterruptedException {
    TypePattern pattern = TypePattern.of(types);
    GatewayStore.Cursor cursor = open(from);
    try (cursor) {
      GatewayStore.Bound bound;
      try {
        bound = cursor.bound(to);
      } catch (IllegalArgumentException e) {
        throw new UsageError("--to " + to + ": " + e.getMessage(), e);
      }
      progress.total(bound.size());
      while (bound.read() < bound.size()) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("stopped");
        }
        Optional<StoredEvent> next;
        try {
          next = cursor.next(WAIT);
        } catch (PositionGoneException e) {
          throw new Failure(e.getMessage(), e);
        }
        if (next.isEmpty() || !bound.includesLast()) {
          continue; // nothing yet, or (Kafka) a partition read past its part of the range
        }
        progress.stepTo(bound.read());
        StoredEvent e = next.get();
        if (pattern.matches(e.event().type())
            && !sink.accept(e.position(), GatewayJson.event(e.event()))) {
          return;
        }
      }
    }
  }

  private GatewayStore.Cursor open(String from) {
    try {
      return store.cursor(from);
    } catch (PositionGoneException e) {
      throw new Failure(e.getMessage() + "; start again with --from earliest", e);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--from " + from + ": " + e.getMessage(), e);
    }
  }

  @Override
  public JsonNode groups() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode groups = root.putArray("groups");
    for (GroupLag g : store.groups()) {
      ObjectNode node = groups.addObject().put("group", g.group()).put("lag", g.lag());
      ArrayNode partitions = node.putArray("partitions");
      for (PartitionLag p : g.partitions()) {
        partitions
            .addObject()
            .put("partition", p.partition())
            .put("committed", p.committed())
            .put("end", p.end())
            .put("lag", p.lag());
      }
    }
    return root;
  }

  @Override
  public List<ObjectNode> deadLetters(String group, int limit) {
    List<ObjectNode> list = new ArrayList<>();
    for (StoredDeadLetter d : store.deadLetters(group, limit)) {
      list.add(GatewayJson.deadLetter(d));
    }
    return list;
  }

  @Override
  public Optional<ObjectNode> deadLetter(String position) {
    return find(position).map(GatewayJson::deadLetter);
  }

  private Optional<StoredDeadLetter> find(String position) {
    try {
      return store.deadLetter(position);
    } catch (IllegalArgumentException e) {
      throw UsageError.of("POSITION", e.getMessage(), e); // as the gateway answers it: 400
    }
  }

  @Override
  public void redrive(String position) {
    StoredDeadLetter d =
        find(position).orElseThrow(() -> new Failure("no dead letter at position " + position));
    try {
      store.redrive(d).join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new Failure("redriving " + position + " failed: " + cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
