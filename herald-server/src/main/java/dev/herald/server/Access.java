package dev.herald.server;

import java.util.Optional;

/**
 * Decides who a request comes from. The server asks it once per request with the request's {@code
 * Authorization} header, before any endpoint runs: empty means 401 (no or unknown credentials);
 * each endpoint then asks the {@link Principal} for what it needs and answers 403 when refused.
 *
 * <p>Implementations are thread-safe.
 */
public interface Access {

  /**
   * The principal that {@code authorization} (the header's value, or null when absent) stands for,
   * or empty when it stands for none.
   */
  Optional<Principal> authenticate(String authorization);

  /** Whether requests need credentials at all; false only for {@link #openToLoopback()}. */
  boolean required();

  /**
   * The development default: no credentials, everything allowed. A server with it listens on the
   * loopback interface only, and says so when it starts.
   */
  static Access openToLoopback() {
    return OpenAccess.INSTANCE;
  }
}
