package dev.herald.kafka;

import dev.herald.codec.ForwardingPayloadCodec;
import dev.herald.codec.PayloadCodec;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a codec, counting the payloads it decodes. */
final class CountingCodec extends ForwardingPayloadCodec {
  final AtomicInteger decoded = new AtomicInteger();

  CountingCodec(PayloadCodec delegate) {
    super(delegate);
  }

  @Override
  public Object decode(byte[] payload, String contentType, String typeHint) {
    decoded.incrementAndGet();
    return super.decode(payload, contentType, typeHint);
  }

  @Override
  public <T> T decodeAs(byte[] payload, String contentType, Class<T> payloadClass) {
    decoded.incrementAndGet();
    return super.decodeAs(payload, contentType, payloadClass);
  }
}
