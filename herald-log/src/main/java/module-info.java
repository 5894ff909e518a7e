/**
 * Herald's embedded durable log and its transport; {@code dev.herald.log.internal} is not exported.
 */
module dev.herald.log {
  requires transitive dev.herald;
  requires transitive dev.herald.codec;
  requires org.slf4j;

  exports dev.herald.log;
}
