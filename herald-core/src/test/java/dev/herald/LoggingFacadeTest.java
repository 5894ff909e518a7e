package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every module logs through one facade, the JDK's {@link System.Logger}, so that users route all of
 * Herald's logging with one setting. Kafka's client keeps its own SLF4J logging; Herald's code
 * never uses SLF4J.
 */
class LoggingFacadeTest {
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  @Test
  void noModulesMainCodeUsesSlf4j() throws IOException {
    // Surefire runs in herald-core; the reactor's root is its parent.
    Path root = Path.of("").toAbsolutePath().getParent();
    String pom = Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8);
    List<String> modules = new ArrayList<>();
    Matcher m = MODULE.matcher(pom);
    while (m.find()) {
      modules.add(m.group(1).trim());
    }
    assertThat(modules).contains("herald-core", "herald-log", "herald-kafka");

    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (String module : modules) {
      Path main = root.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(main)) {
        continue;
      }
      List<Path> sources;
      try (Stream<Path> walk = Files.walk(main)) {
        sources = walk.filter(p -> p.toString().endsWith(".java")).toList();
      }
      for (Path source : sources) {
        files++;
        String text = Files.readString(source, StandardCharsets.UTF_8);
        if (text.contains("org.slf4j")) {
          offenders.add(root.relativize(source).toString());
        }
      }
    }
    assertThat(files).as("main sources found").isGreaterThan(100);
    assertThat(offenders).as("main sources using SLF4J instead of System.Logger").isEmpty();
  }
}
