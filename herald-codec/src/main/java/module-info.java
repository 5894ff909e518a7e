/**
 * How events become bytes for Herald's storing transports: the CloudEvents mappings and payload
 * codecs.
 */
module dev.herald.codec {
  requires transitive dev.herald;
  requires transitive com.fasterxml.jackson.databind;

  exports dev.herald.codec;
}
