package dev.herald.kafka;

import dev.herald.codec.PayloadCodec;

/**
 * Delegates to a codec, failing the next encode with a given exception when asked, and every decode
 * with a given error (a bug in the codec) while one is set.
 */
final class FailingCodec implements PayloadCodec {
    private final PayloadCodec delegate;
    volatile RuntimeException failNext;
    volatile Error decodeError;

    FailingCodec(PayloadCodec delegate) {
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
        RuntimeException f = failNext;
        if (f != null) {
            failNext = null;
            throw f;
        }
        return delegate.encode(data);
    }

    @Override
    public Object decode(byte[] payload, String contentType, String typeHint) {
        Error e = decodeError;
        if (e != null) {
            throw e;
        }
        return delegate.decode(payload, contentType, typeHint);
    }
}
