package dev.herald.kafka;

/**
 * A failure of {@link KafkaTransport} with a message that says what to check: no broker reachable
 * at the bootstrap servers, a missing topic while auto-creation is off, an authorization refusal, a
 * record over the size limit. The Kafka client's exception, when there is one, is the cause.
 */
public final class KafkaTransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KafkaTransportException(String message) {
    super(message);
  }

  public KafkaTransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
