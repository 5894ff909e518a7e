package dev.herald.bench.kafka;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The consumer loop an application using kafka-clients directly would write: one thread of its own
 * ({@code bench-poll}), the only one that touches the consumer, polls, hands each record to {@code
 * handler} on that thread, and, for a consumer in a group, commits the polled batch asynchronously
 * (at least once, as Herald's feed commits what is done). {@link #close} stops and joins it, then
 * closes the consumer. An error in the loop stops it and is rethrown by {@link #close}.
 */
final class PollLoop implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
  private final boolean commit;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  PollLoop(
      KafkaConsumer<byte[], byte[]> consumer,
      boolean commit,
      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    this.consumer = consumer;
    this.handler = handler;
    this.commit = commit;
    this.thread = new Thread(this::run, "bench-poll");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        for (ConsumerRecord<byte[], byte[]> r : records) {
          handler.accept(r);
        }
        if (commit && !records.isEmpty()) {
          consumer.commitAsync();
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop.
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
    if (failure != null) {
      throw failure;
    }
  }
}
