package dev.herald.server;

import java.util.List;

/** The principal of one token of a {@link TokenAccess}: its grant. Immutable. */
final class TokenPrincipal implements Principal {
  private final String name;
  private final List<TokenPattern> publish;
  private final List<TokenPattern> subscribe;
  private final boolean admin;

  TokenPrincipal(TokenFile.Entry entry) {
    this.name = entry.name();
    this.publish = entry.publish();
    this.subscribe = entry.subscribe();
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
    for (TokenPattern p : publish) {
      if (p.matches(type)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether one of the token's subscribe patterns covers every type {@code pattern} can match (see
   * {@link TokenPattern#covers}); false for an invalid pattern.
   */
  @Override
  public boolean maySubscribe(String pattern) {
    if (pattern == null || TokenPattern.problem(pattern, true) != null) {
      return false;
    }
    TokenPattern requested = TokenPattern.parse(pattern);
    for (TokenPattern p : subscribe) {
      if (p.covers(requested)) {
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
