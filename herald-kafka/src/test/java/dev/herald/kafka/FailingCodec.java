package dev.herald.kafka;

import dev.herald.codec.ForwardingPayloadCodec;
import dev.herald.codec.PayloadCodec;

/**
 * Delegates to a codec, failing the next encode with a given exception when asked, and every decode
 * with a given error (a bug in the codec) while one is set; gives the next payload a given type
 * hint when asked.
 */
final class FailingCodec extends ForwardingPayloadCodec {
  volatile RuntimeException failNext;
  volatile Error decodeError;
  volatile String nextTypeHint;

  FailingCodec(PayloadCodec delegate) {
    super(delegate);
  }

  @Override
  public String typeHint(Object data) {
    String h = nextTypeHint;
    if (h != null) {
      nextTypeHint = null;
      return h;
    }
    return super.typeHint(data);
  }

  @Override
  public byte[] encode(Object data) {
    RuntimeException f = failNext;
    if (f != null) {
      failNext = null;
      throw f;
    }
    return super.encode(data);
  }

  @Override
  public Object decode(byte[] payload, String contentType, String typeHint) {
    Error e = decodeError;
    if (e != null) {
      throw e;
    }
    return super.decode(payload, contentType, typeHint);
  }

  @Override
  public <T> T decodeAs(byte[] payload, String contentType, Class<T> payloadClass) {
    Error e = decodeError;
    if (e != null) {
      throw e;
    }
    return super.decodeAs(payload, contentType, payloadClass);
  }
}
