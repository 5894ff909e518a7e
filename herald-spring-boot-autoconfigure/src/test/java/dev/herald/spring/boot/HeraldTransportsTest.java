package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.BusListener;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.log.LogTransport;
import dev.herald.spi.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

/** The bus bean on each storing transport: the log in a temporary directory, and Kafka. */
class HeraldTransportsTest {
  /** One broker for the class. */
  private static EmbeddedKafka kafka;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  record Parcel(String id, int grams) {}

  @Test
  void theLogTransportStoresAndADurableGroupResumesAfterARestart(@TempDir Path dir) {
    ApplicationContextRunner onLog =
        runner.withPropertyValues("herald.transport=log", "herald.log.directory=" + dir);
    onLog.run(
        context -> {
          assertThat(context.getBean(Transport.class)).isInstanceOf(LogTransport.class);
          EventBus bus = context.getBean(EventBus.class);
          CountDownLatch got = new CountDownLatch(1);
          bus.subscribe(
              Parcel.class, p -> got.countDown(), SubscribeOptions.defaults().group("sorting"));
          bus.publish("parcel.weighed", new Parcel("p-1", 300)).join();
          assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
          assertThat(bus.stats().stored()).isEqualTo(1);
        });
    onLog.run(
        context -> {
          EventBus bus = context.getBean(EventBus.class);
          bus.publish("parcel.weighed", new Parcel("p-2", 500)).join();
        });
    List<Parcel> resumed = new CopyOnWriteArrayList<>();
    onLog.run(
        context -> {
          CountDownLatch got = new CountDownLatch(1);
          context
              .getBean(EventBus.class)
              .subscribe(
                  Parcel.class,
                  p -> {
                    resumed.add(p);
                    got.countDown();
                  },
                  SubscribeOptions.defaults().group("sorting"));
          assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
        });
    assertThat(resumed).containsExactly(new Parcel("p-2", 500));
  }

  /** A listener bean that sorts each parcel slowly and publishes that it did. */
  static class Sorter {
    final EventBus bus;
    final CountDownLatch first = new CountDownLatch(1);

    Sorter(EventBus bus) {
      this.bus = bus;
    }

    @Subscribe(group = "sorting", name = "sorting")
    void sort(Parcel parcel) throws InterruptedException {
      first.countDown();
      Thread.sleep(20); // slow enough that most are still queued when the context closes
      bus.emit(Event.of("parcel.sorted", parcel.id()));
    }
  }

  /**
   * Closing the context with events in flight on the log: the listener's registration ends, and the
   * bus closes before the transport, so what the handler publishes as the bus drains is stored
   * (docs/spring-boot.md), not refused by a closed log.
   */
  @Test
  void whatAListenerPublishesWhileTheBusDrainsAtCloseIsStored(@TempDir Path dir) {
    AtomicInteger storeFailures = new AtomicInteger();
    BusListener listener =
        new BusListener() {
          @Override
          public void onStoreFailed(Event<?> event, Throwable cause) {
            storeFailures.incrementAndGet();
          }
        };
    ApplicationContextRunner onLog =
        runner
            .withPropertyValues("herald.transport=log", "herald.log.directory=" + dir)
            .withBean(BusListener.class, () -> listener);
    int parcels = 30;
    onLog
        .withBean(Sorter.class)
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              for (int i = 0; i < parcels; i++) {
                bus.emit(Event.of("parcel.weighed", new Parcel("p-" + i, 100)));
              }
              assertThat(context.getBean(Sorter.class).first.await(10, TimeUnit.SECONDS)).isTrue();
              // The context closes here, with most parcels still to be sorted.
            });
    assertThat(storeFailures).hasValue(0);
    // Every parcel sorted, its effect stored: those sorted as the bus drained, and those its
    // registration's end left to the group, sorted after the restart.
    Set<String> sorted = ConcurrentHashMap.newKeySet();
    onLog
        .withBean(Sorter.class)
        .run(
            context -> {
              context
                  .getBean(EventBus.class)
                  .subscribe(
                      "parcel.sorted",
                      e -> sorted.add((String) e.data()),
                      SubscribeOptions.defaults().group("audit").name("audit"));
              Awaitility.await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> sorted.size() == parcels);
            });
    assertThat(storeFailures).hasValue(0);
  }

  /** Fails once the transport is built, before anything asks for the bus. */
  /** Fails once the transport is built, before anything asks for the bus. */
  static class Broken {
    Broken(Transport transport) {
      throw new IllegalStateException("broken beside " + transport.name());
    }
  }

  @Test
  void theTransportPropertyIsReadAsItIsBoundBlanksAndCaseIgnored(@TempDir Path dir) {
    // From a .properties file, a quoted YAML value or an environment variable a trailing blank
    // survives: binding ignores it, so the transport's condition must too.
    for (String value : List.of("log ", " LOG\t")) {
      runner
          .withInitializer(
              context ->
                  context
                      .getEnvironment()
                      .getPropertySources()
                      .addFirst(
                          new MapPropertySource(
                              "test",
                              Map.of(
                                  "herald.transport",
                                  value,
                                  "herald.log.directory",
                                  dir.toString()))))
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(Transport.class)).isInstanceOf(LogTransport.class);
                assertThat(context.getBean(HeraldProperties.class).getTransport())
                    .isEqualTo(HeraldProperties.Transport.LOG);
              });
    }
  }

  @Test
  void aContextThatFailsToStartReleasesTheLog(@TempDir Path dir) {
    ApplicationContextRunner onLog =
        runner.withPropertyValues("herald.transport=log", "herald.log.directory=" + dir);
    onLog
        .withBean(Broken.class)
        .run(
            context ->
                assertThat(context).getFailure().rootCause().hasMessage("broken beside log"));
    onLog.run(context -> assertThat(context).hasNotFailed().hasSingleBean(LogTransport.class));
  }

  @Test
  void theKafkaTransportConnectsToTheBrokers() {
    runner
        .withPropertyValues(
            "herald.transport=kafka",
            "herald.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "herald.kafka.events-topic=transports-test.events",
            "herald.kafka.dead-letter-topic=transports-test.deadletter",
            "herald.kafka.partitions=1",
            "herald.kafka.properties.client.dns.lookup=use_all_dns_ips")
        .run(
            context -> {
              assertThat(context.getBean(Transport.class)).isInstanceOf(KafkaTransport.class);
              KafkaTransport transport = context.getBean(KafkaTransport.class);
              assertThat(transport.feedTopics()).contains("transports-test.events");
              EventBus bus = context.getBean(EventBus.class);
              CountDownLatch got = new CountDownLatch(1);
              bus.subscribe(
                  Parcel.class, p -> got.countDown(), SubscribeOptions.defaults().group("sorting"));
              bus.publish("parcel.weighed", new Parcel("p-1", 300)).join();
              assertThat(got.await(30, TimeUnit.SECONDS)).isTrue();
              assertThat(bus.stats().stored()).isEqualTo(1);
            });
  }
}
