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

  /**
   * Whether this principal may join consumer group {@code group}: attach a stream to it ({@code GET
   * /v1/events/stream?group=}) or make a webhook that names it ({@code POST /v1/subscriptions} with
   * {@code group}). A member of a group takes events away from the group's other members and moves
   * its position, so this is a right of its own, apart from {@link #maySubscribe}. A webhook made
   * without {@code group} gets a new group of its own and needs no such right.
   *
   * <p>By default, only a principal that {@link #mayAdminister()} may.
   */
  default boolean mayJoinGroup(String group) {
    return mayAdminister();
  }

  /** Whether this principal may use the admin endpoints and the dashboard. */
  boolean mayAdminister();
}
