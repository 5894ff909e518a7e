package dev.herald.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * With {@code --kafka}: the topics and consumer-group prefix the application's transport uses, when
 * they are not the transport's defaults ({@code herald.events}, {@code herald.deadletter}, no
 * prefix). The demo on Kafka, say, uses {@code shop.events}, {@code shop.deadletter} and {@code
 * herald-shop.}: without them, its groups and dead letters are not seen.
 */
final class KafkaOptions {
  @Option(
      names = "--events-topic",
      paramLabel = "TOPIC",
      description = "With --kafka: the events topic (default: herald.events).")
  String eventsTopic;

  @Option(
      names = "--dead-letter-topic",
      paramLabel = "TOPIC",
      description = "With --kafka: the dead-letter topic (default: herald.deadletter).")
  String deadLetterTopic;

  @Option(
      names = "--group-prefix",
      paramLabel = "PREFIX",
      description =
          "With --kafka: the prefix of the consumer groups' ids in Kafka (default: none).")
  String groupPrefix;

  /** Whether any of these was given. */
  boolean given() {
    return eventsTopic != null || deadLetterTopic != null || groupPrefix != null;
  }

  /**
   * Refuses these options without {@code --kafka}, and a blank topic.
   *
   * @throws ParameterException when one is given and {@code kafka} is false, or a topic is blank
   */
  void requireKafka(CommandSpec spec, boolean kafka) {
    if (given() && !kafka) {
      String option =
          eventsTopic != null
              ? "--events-topic"
              : deadLetterTopic != null ? "--dead-letter-topic" : "--group-prefix";
      throw new ParameterException(spec.commandLine(), option + " needs --kafka");
    }
    requireNotBlank(spec, "--events-topic", eventsTopic);
    requireNotBlank(spec, "--dead-letter-topic", deadLetterTopic);
  }

  private static void requireNotBlank(CommandSpec spec, String option, String topic) {
    if (topic != null && topic.isBlank()) {
      throw new ParameterException(
          spec.commandLine(), option + ": a topic name, not blank: '" + topic + "'");
    }
  }
}
