package dev.herald.kafka;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * In-JVM KRaft clusters for the tests (no Docker). Start-up costs seconds, so the one-broker cluster is
 * started once per test JVM and shared by every class (each test isolates itself with topics and
 * groups of its own); it stops with the JVM.
 */
final class TestClusters {
    private static KafkaClusterTestKit single;

    private TestClusters() {
    }

    /** The shared one-broker cluster, started on first use. */
    static synchronized KafkaClusterTestKit single() {
        if (single == null) {
            KafkaClusterTestKit c = start(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> close(c), "test-kafka-stop"));
            single = c;
        }
        return single;
    }

    /**
     * A new cluster of {@code brokers} brokers and one separate controller; the caller closes it. Internal
     * topics are replicated {@code min(brokers, 3)} times.
     */
    static KafkaClusterTestKit start(int brokers) {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(brokers == 1)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(brokers)
                    .build();
            String rf = Integer.toString(Math.min(brokers, 3));
            KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
            for (Map.Entry<String, String> x : Map.of(
                    "group.initial.rebalance.delay.ms", "0",
                    "offsets.topic.replication.factor", rf,
                    "offsets.topic.num.partitions", "3",
                    "transaction.state.log.replication.factor", rf,
                    "transaction.state.log.min.isr", "1",
                    "auto.create.topics.enable", "false").entrySet()) {
                b.setConfigProp(x.getKey(), x.getValue());
            }
            KafkaClusterTestKit c = b.build();
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            return c;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test Kafka cluster", e);
        }
    }

    static void close(KafkaClusterTestKit c) {
        try {
            c.close();
        } catch (Exception e) {
            // The JVM is going away, or the test already failed.
        }
    }
}
