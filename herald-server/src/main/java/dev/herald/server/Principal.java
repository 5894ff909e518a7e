package dev.herald.server;

/**
 * Who made a request, and what they may do. Immutable.
 *
 * @see Access
 */
public interface Principal {
  /** A name for logs and stats (never the token itself). */
  String name();

  /** Whether this principal may publish events of {@code type}. */
  boolean mayPublish(String type);

  /**
   * Whether this principal may subscribe to (stream, or have pushed by webhook) every type that
   * {@code pattern} matches.
   */
  boolean maySubscribe(String pattern);

  /** Whether this principal may use the admin endpoints and the dashboard. */
  boolean mayAdminister();
}
