/**
 * Herald's transport on Apache Kafka. kafka-clients is an automatic module: its jar names no
 * module, so its name, {@code kafka.clients}, comes from the jar's file name. It is required
 * transitively because {@code KafkaTransport.AssignmentListener} hands out its {@code
 * TopicPartition}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.herald.kafka {
  requires transitive dev.herald;
  requires transitive dev.herald.codec;
  requires transitive kafka.clients;
  requires org.slf4j;

  exports dev.herald.kafka;
}
