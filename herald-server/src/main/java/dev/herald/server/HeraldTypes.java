package dev.herald.server;

/**
 * The rule on the types of Herald's own records ({@code herald.*}: dead letters, their resolved
 * marks, webhook definitions), which steer the gateway when read back: no client publishes them,
 * neither over HTTP nor through the command line's direct mode. One rule, one message, for both.
 * Stateless.
 */
public final class HeraldTypes {
  /** Why such an event is refused (with status 403, naming attribute {@code type}). */
  public static final String REFUSAL =
      "types under 'herald.' are Herald's own and cannot be published by clients";

  private HeraldTypes() {}

  /** Whether {@code type} is one of Herald's own, which clients may not publish. */
  public static boolean isHeralds(String type) {
    return type.startsWith("herald.");
  }
}
