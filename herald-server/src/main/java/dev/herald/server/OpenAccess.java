package dev.herald.server;

import java.util.Optional;

/** {@link Access#openToLoopback()}: every request is the one development principal. */
final class OpenAccess implements Access, Principal {
  static final OpenAccess INSTANCE = new OpenAccess();

  private OpenAccess() {}

  @Override
  public Optional<Principal> authenticate(String authorization) {
    return Optional.of(this);
  }

  @Override
  public boolean required() {
    return false;
  }

  @Override
  public String name() {
    return "development";
  }

  @Override
  public boolean mayPublish(String type) {
    return true;
  }

  @Override
  public boolean maySubscribe(String pattern) {
    return true;
  }

  @Override
  public boolean mayJoinGroup(String group) {
    return true;
  }

  @Override
  public boolean mayAdminister() {
    return true;
  }
}
