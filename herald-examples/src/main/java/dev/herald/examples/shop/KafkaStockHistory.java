package dev.herald.examples.shop;

import dev.herald.kafka.KafkaTransport;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells a back office's inventory, on Kafka, when it must read the decisions of other members of
 * its group again: register it as the transport's {@linkplain KafkaTransport.Builder#onAssigned
 * assignment listener}. Each time inventory's consumer is given partitions (at its first join, when
 * another back office joins, leaves or dies), the SKUs of those partitions may have been decided
 * elsewhere until now; the next order inventory decides first reads every stored decision ({@link
 * KafkaHistory#readStock}). Thread-safe.
 */
public final class KafkaStockHistory implements KafkaTransport.AssignmentListener {
  private final String bootstrap;
  private final String topic;
  private final Duration timeout;
  private final AtomicLong assignments = new AtomicLong();

  /**
   * Reads {@code topic}, the topic of {@code stock.reserved} and {@code stock.rejected}, at {@code
   * bootstrap}, giving up after {@code timeout}.
   */
  public KafkaStockHistory(String bootstrap, String topic, Duration timeout) {
    this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  public void assigned(String groupId, Collection<TopicPartition> partitions) {
    if (groupId.endsWith(InventoryService.RESERVE)) {
      assignments.incrementAndGet();
    }
  }

  /** What inventory reads through this. */
  InventoryService.StockHistory stockHistory() {
    return new InventoryService.StockHistory() {
      @Override
      public long assignments() {
        return assignments.get();
      }

      @Override
      public List<ShopHistory.StockDecision> read() {
        return KafkaHistory.readStock(bootstrap, topic, ShopDemo.codec(), timeout);
      }
    };
  }
}
