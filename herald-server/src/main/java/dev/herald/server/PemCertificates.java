package dev.herald.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads the X.509 certificates of a PEM file ({@code -----BEGIN CERTIFICATE-----} blocks, one or
 * more), the source of {@link HeraldServer.Builder#webhookTrustedCertificates}. A file that is
 * missing, unreadable, or holds no certificate is refused with an {@link IllegalArgumentException}
 * naming the file. Stateless.
 */
final class PemCertificates {
  private PemCertificates() {}

  static List<X509Certificate> read(Path file) {
    Collection<? extends Certificate> read;
    try (InputStream in = Files.newInputStream(file)) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + file, e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(notPem(file) + ": " + e.getMessage(), e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Certificate c : read) {
      // The X.509 factory makes X.509 certificates only; the check keeps the cast honest.
      if (c instanceof X509Certificate x) {
        certificates.add(x);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(notPem(file));
    }
    return List.copyOf(certificates);
  }

  private static String notPem(Path file) {
    return file + " holds no certificate in PEM form (-----BEGIN CERTIFICATE-----)";
  }
}
