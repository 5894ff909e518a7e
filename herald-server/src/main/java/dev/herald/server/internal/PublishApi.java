package dev.herald.server.internal;

import io.javalin.config.RoutesConfig;

/** Not written yet. */
final class PublishApi implements Gateway.Api {
  private final Gateway gateway;

  PublishApi(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void routes(RoutesConfig routes) {}
}
