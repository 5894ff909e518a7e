/**
 * Herald's API ({@code dev.herald}) and the seam a storing transport implements ({@code
 * dev.herald.spi}). The engine ({@code dev.herald.internal}) is not exported; the helpers that
 * Herald's own codec and transports share ({@code dev.herald.internal.transport}) are exported to
 * those modules only.
 */
// "module": the modules named by the qualified export are built after this one.
@SuppressWarnings("module")
module dev.herald {
  exports dev.herald;
  exports dev.herald.spi;
  exports dev.herald.internal.transport to
      dev.herald.codec,
      dev.herald.log,
      dev.herald.kafka;
}
