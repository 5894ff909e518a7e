package dev.herald.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys and values of the OpenTelemetry messaging semantic conventions that Herald's
 * spans carry, defined here rather than taken from the incubating semantic-conventions artifact
 * (whose keys still move between releases).
 */
final class MessagingAttributes {
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION_NAME =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> CONSUMER_GROUP_NAME =
      AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> SUBSCRIPTION_NAME =
      AttributeKey.stringKey("messaging.destination.subscription.name");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** {@code messaging.system}: Herald is the messaging system, whatever transport stores. */
  static final String HERALD = "herald";

  /** The {@code messaging.operation.type} (and name) of a publish. */
  static final String SEND = "send";

  /** The {@code messaging.operation.type} (and name) of a handler call. */
  static final String PROCESS = "process";

  private MessagingAttributes() {}
}
