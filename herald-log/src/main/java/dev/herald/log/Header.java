package dev.herald.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * One name/value pair attached to a {@link LogRecord}. Immutable value; the value array is not
 * copied, so the caller must not modify it after handing it over.
 */
public final class Header {
  private final String name;
  private final byte[] value;

  private Header(String name, byte[] value) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
  }

  /** A header with a binary value. */
  public static Header of(String name, byte[] value) {
    return new Header(name, value);
  }

  /** A header whose value is the UTF-8 encoding of {@code value}. */
  public static Header of(String name, String value) {
    return new Header(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public String name() {
    return name;
  }

  public byte[] value() {
    return value;
  }

  /** The value decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && name.equals(h.name) && Arrays.equals(value, h.value);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return name + "=" + value.length + "B";
  }
}
