package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link WebhookProxy#parse} makes of a value with credentials, and what it shows of it. */
class WebhookProxyValueTest {
  @Test
  void credentialsArePercentDecodedAndNeverShown() {
    WebhookProxy p =
        WebhookProxy.parse(" http://op%C3%A9rateur:p%40ss%3Aw%25rd+@proxy.internal:3128/ ");
    assertThat(p.host()).isEqualTo("proxy.internal");
    assertThat(p.port()).isEqualTo(3128);
    assertThat(p.user()).isEqualTo("opérateur");
    assertThat(p.password()).isEqualTo("p@ss:w%rd+");
    assertThat(p.hasCredentials()).isTrue();
    assertThat(p).hasToString("proxy.internal:3128");
  }

  @Test
  void aPasswordMayHoldAnAtSignUnencoded() {
    // The host is after the last '@'.
    WebhookProxy p = WebhookProxy.parse("ops:a@b@[::1]:8080");
    assertThat(p.host()).isEqualTo("::1");
    assertThat(p.password()).isEqualTo("a@b");
    assertThat(p).hasToString("[::1]:8080");
  }

  @Test
  void withoutUserInfoThereAreNoCredentials() {
    WebhookProxy p = WebhookProxy.parse("proxy.internal:3128");
    assertThat(p.hasCredentials()).isFalse();
    assertThat(p.user()).isNull();
    assertThat(p.password()).isNull();
  }
}
