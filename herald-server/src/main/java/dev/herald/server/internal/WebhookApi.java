package dev.herald.server.internal;

import io.javalin.config.RoutesConfig;

/** Not written yet. */
final class WebhookApi implements Gateway.Api {
  private final Gateway gateway;

  WebhookApi(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void routes(RoutesConfig routes) {}
}
