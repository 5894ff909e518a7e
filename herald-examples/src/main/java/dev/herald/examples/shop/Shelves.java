package dev.herald.examples.shop;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The shelves of one run as inventory sees them: per SKU, the scenario's initial stock less the
 * units every reservation so far took, and the decision taken for each order. Reservations of
 * orders cancelled later are not returned.
 *
 * <p>Decisions are facts, never revised: an order decided before (by this process, or by another
 * one, learnt from the store through {@link #learn}) gets the decision it got then, and learning
 * the same decision twice changes nothing. So the shelves may be rebuilt from history at any time,
 * merged with what was decided here but may not be stored yet, without promising a unit twice,
 * provided the caller is the only one deciding the orders of a SKU: the owner of the SKU's key.
 *
 * <p>Not thread-safe: {@link InventoryService} serialises its calls.
 */
final class Shelves {
  /**
   * What inventory decided for an order.
   *
   * @param available units of the SKU left when the order was decided; -1 if not known (a
   *     reservation read back from the store, whose event does not carry it)
   */
  record Decision(String orderId, String sku, int quantity, boolean reserved, int available) {}

  private final Map<String, Integer> initialStock;
  private final Map<String, Integer> reservedUnits = new HashMap<>();
  private final Map<String, Decision> decisions = new HashMap<>();
  // Orders whose decision was learnt from the store.
  private final Set<String> stored = new HashSet<>();

  Shelves(Map<String, Integer> initialStock) {
    this.initialStock = Map.copyOf(initialStock);
  }

  /**
   * Decides {@code order}: reserved if enough of its SKU is left, and then taken off the shelf. An
   * order decided before gets the same decision again, and takes nothing.
   */
  Decision decide(OrderPlaced order) {
    Decision before = decisions.get(order.orderId());
    if (before != null) {
      return before;
    }
    int available = available(order.sku());
    Decision d =
        new Decision(
            order.orderId(),
            order.sku(),
            order.quantity(),
            available >= order.quantity(),
            available);
    take(d);
    return d;
  }

  /**
   * Takes a decision found in the store. Returns false, changing nothing, if the order was already
   * decided.
   */
  boolean learn(Decision d) {
    if (!take(d)) {
      return false;
    }
    stored.add(d.orderId());
    return true;
  }

  /** Whether the decision on {@code orderId} was learnt from the store: its event is stored. */
  boolean stored(String orderId) {
    return stored.contains(orderId);
  }

  private boolean take(Decision d) {
    if (decisions.putIfAbsent(d.orderId(), d) != null) {
      return false;
    }
    if (d.reserved()) {
      reservedUnits.merge(d.sku(), d.quantity(), Integer::sum);
    }
    return true;
  }

  /** Units of {@code sku} left on the shelf. */
  int available(String sku) {
    return initialStock.getOrDefault(sku, 0) - reservedUnits.getOrDefault(sku, 0);
  }

  /** The decision taken for {@code orderId}, or null if none is known. */
  Decision decision(String orderId) {
    return decisions.get(orderId);
  }
}
