package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every module logs through one facade, SLF4J, under stable names that docs/logging.md lists.
 * herald-core, which has no dependency, logs through the JDK's {@link System.Logger}, which {@code
 * slf4j-jdk-platform-logging} routes to SLF4J; no other module uses {@link System.Logger} or
 * java.util.logging. Read from the sources of every module of the reactor (herald-bench, a program
 * of measurements, aside), so a module added later is held to it too.
 */
class LoggingFacadeTest {
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  // getLogger("name") or getLogger(NAME); LoggerFactory's and System's alike.
  private static final Pattern GET_LOGGER =
      Pattern.compile("getLogger\\(\\s*(\"[^\"]*\"|[A-Za-z_][\\w.]*)");
  // Code, not prose: a Javadoc may name the other facade.
  private static final Pattern PLATFORM_LOGGING =
      Pattern.compile(
          "System\\.getLogger\\(|System\\.Logger\\.Level|import java\\.lang\\.System\\.Logger"
              + "|java\\.util\\.logging\\.[A-Z]|import java\\.util\\.logging");
  private static final Pattern LOGGING_LIBRARY =
      Pattern.compile("org\\.slf4j\\.[A-Z]|import org\\.slf4j|java\\.util\\.logging\\.[A-Z]");

  private static Path root;
  // Module name to its main sources.
  private static final Map<String, List<Path>> SOURCES = new LinkedHashMap<>();

  @BeforeAll
  static void readTheReactor() throws IOException {
    // Surefire runs in herald-core; the reactor's root is its parent.
    root = Path.of("").toAbsolutePath().getParent();
    String pom = Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher m = MODULE.matcher(pom);
    while (m.find()) {
      String module = m.group(1).trim();
      Path main = root.resolve(module).resolve("src/main/java");
      if (module.equals("herald-bench") || !Files.isDirectory(main)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(main)) {
        SOURCES.put(module, walk.filter(p -> p.toString().endsWith(".java")).sorted().toList());
      }
    }
    assertThat(SOURCES).containsKeys("herald-core", "herald-log", "herald-kafka", "herald-server");
    assertThat(SOURCES.values().stream().mapToInt(List::size).sum())
        .as("main sources found")
        .isGreaterThan(100);
  }

  @Test
  void coreUsesTheJdksPlatformLoggingAndNoOtherModuleDoes() throws IOException {
    List<String> coreOnSlf4j = new ArrayList<>();
    List<String> othersOnPlatformLogging = new ArrayList<>();
    for (Map.Entry<String, List<Path>> module : SOURCES.entrySet()) {
      boolean core = module.getKey().equals("herald-core");
      for (Path source : module.getValue()) {
        String text = Files.readString(source, StandardCharsets.UTF_8);
        if (core && LOGGING_LIBRARY.matcher(text).find()) {
          coreOnSlf4j.add(root.relativize(source).toString());
        }
        if (!core && PLATFORM_LOGGING.matcher(text).find()) {
          othersOnPlatformLogging.add(root.relativize(source).toString());
        }
      }
    }
    assertThat(coreOnSlf4j).as("herald-core sources using a logging library").isEmpty();
    assertThat(othersOnPlatformLogging)
        .as("sources using System.Logger or java.util.logging instead of SLF4J")
        .isEmpty();
  }

  @Test
  void everyLoggerHasAStableNameThatDocsLoggingLists() throws IOException {
    String doc = Files.readString(root.resolve("docs/logging.md"), StandardCharsets.UTF_8);
    List<String> unnamed = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    for (List<Path> sources : SOURCES.values()) {
      for (Path source : sources) {
        String text = Files.readString(source, StandardCharsets.UTF_8);
        Matcher m = GET_LOGGER.matcher(text);
        while (m.find()) {
          String name = loggerName(text, m.group(1));
          if (name == null) {
            unnamed.add(root.relativize(source) + ": getLogger(" + m.group(1) + ")");
          } else {
            names.add(name);
          }
        }
      }
    }
    assertThat(unnamed)
        .as("loggers named after a class or computed: name them with a string constant")
        .isEmpty();
    assertThat(names).contains("dev.herald.bus", "dev.herald.bus.listener", "dev.herald.log");
    for (String name : names) {
      assertThat(name).as("a logger name").startsWith("dev.herald.");
      assertThat(doc).as("docs/logging.md lists logger " + name).contains("`" + name + "`");
    }
  }

  /** The name a getLogger argument stands for: a literal, or a constant of the same file. */
  private static String loggerName(String text, String argument) {
    if (argument.startsWith("\"")) {
      return argument.substring(1, argument.length() - 1);
    }
    Matcher constant =
        Pattern.compile(
                "static final String "
                    + Pattern.quote(argument.substring(argument.lastIndexOf('.') + 1))
                    + "\\s*=\\s*\"([^\"]+)\"")
            .matcher(text);
    return constant.find() ? constant.group(1) : null;
  }
}
