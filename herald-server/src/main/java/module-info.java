/**
 * Herald's HTTP gateway, dashboard and the stores it serves; {@code dev.herald.server.internal} is
 * not exported.
 */
module dev.herald.server {
  requires transitive dev.herald;
  requires transitive dev.herald.log;
  requires transitive dev.herald.kafka;
  requires io.javalin;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.client;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.herald.server;
}
