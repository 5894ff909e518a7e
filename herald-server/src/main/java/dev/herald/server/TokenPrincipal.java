package dev.herald.server;

import dev.herald.TypePattern;
import java.util.List;

/** The principal of one token of a {@link TokenAccess}: its grant. Immutable. */
final class TokenPrincipal implements Principal {
  private final String name;
  private final List<TypePattern> publish;
  private final List<TypePattern> subscribe;
  private final List<GroupPattern> groups;
  private final boolean admin;

  TokenPrincipal(TokenFile.Entry entry) {
    this.name = entry.name();
    this.publish = entry.publish();
    this.subscribe = entry.subscribe();
    this.groups = entry.groups();
    this.admin = entry.admin();
  }

  @Override
  public String name() {
    return name;
  }

  /** Whether {@code type} matches one of the token's publish patterns. */
  @Override
  public boolean mayPublish(String type) {
    if (type == null) {
      return false;
    }
    for (TypePattern p : publish) {
      if (p.matches(type)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether one of the token's subscribe patterns covers every type {@code pattern} can match (see
   * {@link TypePattern#covers}); false for an invalid pattern.
   */
  @Override
  public boolean maySubscribe(String pattern) {
    TypePattern requested;
    try {
      requested = TypePattern.of(pattern);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (TypePattern p : subscribe) {
      if (p.covers(requested)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code group} is matched by one of the token's {@code groups} patterns; any group for
   * an administrator; none for a token without {@code groups}.
   */
  @Override
  public boolean mayJoinGroup(String group) {
    if (admin) {
      return true;
    }
    for (GroupPattern p : groups) {
      if (p.matches(group)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean mayAdminister() {
    return admin;
  }

  @Override
  public String toString() {
    return "token " + name;
  }
}
