package dev.herald.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code --version} prints: the Maven project's version, written into {@code
 * version.properties} by the build's resource filtering, so it never drifts from the pom.
 */
final class HeraldVersion implements CommandLine.IVersionProvider {
  static final String RESOURCE = "version.properties";

  /** The project version this jar was built as. */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = HeraldVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing: the jar was not built by Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String v = p.getProperty("version", "");
    if (v.isEmpty() || v.contains("${")) {
      throw new IllegalStateException(RESOURCE + " was not filtered by the build: '" + v + "'");
    }
    return v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"herald " + version()};
  }
}
