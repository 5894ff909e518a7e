package dev.herald.server.internal;

import io.javalin.config.RoutesConfig;

/** Not written yet. */
final class StreamApi implements Gateway.Api {
  private final Gateway gateway;

  StreamApi(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void routes(RoutesConfig routes) {}
}
