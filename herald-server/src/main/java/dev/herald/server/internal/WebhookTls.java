package dev.herald.server.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The webhooks' TLS: which certificates an HTTPS target may present. A target's chain must end at a
 * certificate the JVM trusts by default (its {@code cacerts}, or {@code javax.net.ssl.trustStore})
 * or at one of the extra ones the server was given; either way the certificate must name the URL's
 * host (endpoint identification {@code HTTPS}). Stateless.
 */
final class WebhookTls {
  private WebhookTls() {}

  /**
   * Jetty's client side of TLS for the webhooks, trusting the JVM's default certificates and {@code
   * extra}.
   *
   * @throws IllegalStateException the JVM's default trust cannot be read
   */
  static SslContextFactory.Client client(List<X509Certificate> extra) {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    // Jetty's default for a client already; set here so that a change of default cannot drop it.
    tls.setEndpointIdentificationAlgorithm("HTTPS");
    if (!extra.isEmpty()) {
      tls.setTrustStore(trustStore(extra));
    }
    return tls;
  }

  /**
   * One key store holding the JVM's default trusted certificates, then {@code extra}: a trust store
   * given to Jetty replaces the default one, so the default's certificates go in it too, and public
   * CAs keep working.
   */
  private static KeyStore trustStore(List<X509Certificate> extra) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509Certificate c : defaultTrust()) {
        store.setCertificateEntry("jvm-" + n++, c);
      }
      for (X509Certificate c : extra) {
        store.setCertificateEntry("webhook-ca-" + n++, c);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up the webhooks' TLS trust: " + e, e);
    }
  }

  /** The certificates the JVM's default trust manager trusts. */
  private static List<X509Certificate> defaultTrust() throws GeneralSecurityException {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init((KeyStore) null);
    List<X509Certificate> trusted = new ArrayList<>();
    for (TrustManager m : f.getTrustManagers()) {
      if (m instanceof X509TrustManager x) {
        trusted.addAll(List.of(x.getAcceptedIssuers()));
      }
    }
    return trusted;
  }
}
