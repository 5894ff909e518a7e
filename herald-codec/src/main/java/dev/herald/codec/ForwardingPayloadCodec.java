package dev.herald.codec;

import java.util.Objects;

/**
 * A {@link PayloadCodec} that forwards every call to another: extend it and override only what you
 * change (count decodes, inject a failure in a test, add a metric), the rest stays the real codec.
 * Payloads reach the codec by two ways, {@link #decode} and {@link #decodeAs} (for a class a
 * subscription names), each forwarded as it is: to observe every decode, override both. Thread-safe
 * if the delegate is.
 */
public abstract class ForwardingPayloadCodec implements PayloadCodec {
  private final PayloadCodec delegate;

  protected ForwardingPayloadCodec(PayloadCodec delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    return delegate.decode(payload, contentType, typeHint);
  }

  @Override
  public <T> T decodeAs(byte[] payload, String contentType, Class<T> payloadClass) {
    return delegate.decodeAs(payload, contentType, payloadClass);
  }
}
