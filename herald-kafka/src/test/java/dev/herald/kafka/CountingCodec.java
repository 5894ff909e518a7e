package dev.herald.kafka;

import dev.herald.codec.PayloadCodec;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a codec, counting the payloads it decodes. */
final class CountingCodec implements PayloadCodec {
    private final PayloadCodec delegate;
    final AtomicInteger decoded = new AtomicInteger();

    CountingCodec(PayloadCodec delegate) {
        this.delegate = delegate;
    }

    @Override
    public String contentType() {
        return delegate.contentType();
    }

    @Override
    public String typeHint(Object data) {
        return delegate.typeHint(data);
    }

    @Override
    public byte[] encode(Object data) {
        return delegate.encode(data);
    }

    @Override
    public Object decode(byte[] payload, String contentType, String typeHint) {
        decoded.incrementAndGet();
        return delegate.decode(payload, contentType, typeHint);
    }
}
