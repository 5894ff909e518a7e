package dev.herald.kafka;

import java.util.List;

/**
 * A failure of {@link KafkaTransport} with a message that says what to check: no broker reachable
 * at the bootstrap servers, a missing topic while auto-creation is off ({@link #missingTopics()}
 * names them), an authorization refusal, a record over the size limit. The Kafka client's
 * exception, when there is one, is the cause.
 */
public final class KafkaTransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String[] missingTopics;

  public KafkaTransportException(String message) {
    super(message);
    this.missingTopics = new String[0];
  }

  public KafkaTransportException(String message, Throwable cause) {
    super(message, cause);
    this.missingTopics = new String[0];
  }

  /** Topics that {@link KafkaTransport.Builder#build} found missing with auto-creation off. */
  KafkaTransportException(String message, List<String> missingTopics) {
    super(message);
    this.missingTopics = missingTopics.toArray(String[]::new);
  }

  /**
   * The topics that were missing while {@link KafkaTransport.Builder#autoCreateTopics} was off,
   * when that is this failure; empty otherwise. A reader that must not create topics tells "nothing
   * was published there yet" from other failures by it.
   */
  public List<String> missingTopics() {
    return List.of(missingTopics);
  }
}
