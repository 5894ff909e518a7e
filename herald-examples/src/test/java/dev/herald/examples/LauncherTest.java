package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a new user meets it: {@code ./herald demo} in a copy of the source
 * tree that was never built, with a local Maven repository that holds every third-party artifact
 * but no Herald one. A missing build step (a module's test-jar that the build line skips, say)
 * fails here instead of hiding behind artifacts an earlier {@code mvn install} left in {@code
 * ~/.m2}.
 *
 * <p>The tests share one copied tree and run in order: the first build, then what makes the
 * launcher rebuild and what does not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherTest {
  private static final Set<String> NOT_COPIED = Set.of("target", ".git", ".idea", "results");
  private static final long BUILD_MINUTES = 10;

  @TempDir static Path scratch;
  private static Path tree;
  private static Path repository;

  @BeforeAll
  static void freshCheckout() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("herald")).as("the launcher at the project's root").isRegularFile();
    tree = scratch.resolve("herald");
    copyTree(root, tree);
    repository = repositoryWithoutHerald(scratch.resolve("m2"));
  }

  @Test
  @Order(1)
  void demoBuildsAndRunsOnAMachineThatNeverBuiltHerald() throws Exception {
    Run run = launcher("demo", "--orders", "50", "--seed", "7", "--json");

    assertThat(run.exit).as("exit status; stderr:%n%s", run.err).isZero();
    assertThat(run.err).contains("first run");
    JsonNode summary = new ObjectMapper().readTree(run.out);
    assertThat(summary.path("thisRun").path("ordersPlaced").asLong()).isEqualTo(50);
    assertThat(summary.path("thisRun").path("lost").asLong(-1)).isZero();
    assertThat(tree.resolve("herald-examples/target/herald-examples.jar")).isRegularFile();
  }

  @Test
  @Order(2)
  void anEditInAModuleInsideTheJarRebuildsIt() throws Exception {
    makeJarOlder();
    Path edited = touchOneSource("herald-log");

    Run run = launcher("demo", "--orders", "5");
    Files.setLastModifiedTime(edited, FileTime.from(Instant.now().minusSeconds(7200)));

    assertThat(run.exit).as("exit status; stderr:%n%s", run.err).isZero();
    assertThat(run.err).contains("sources changed");
    assertThat(upToDate()).isTrue();
  }

  @Test
  @Order(3)
  void everyModuleInsideTheJarCountsAndNoOtherDoes() throws Exception {
    Run run = launcher("demo", "--orders", "5");
    assertThat(run.exit).isZero();
    assertThat(run.err).as("an up-to-date jar is not built again").doesNotContain("building");

    for (String module :
        List.of(
            "herald-core",
            "herald-codec",
            "herald-kafka",
            "herald-kafka-embedded",
            "herald-examples")) {
      makeJarOlder();
      Path edited = touchOneSource(module);
      assertThat(upToDate()).as("jar up to date after editing %s", module).isFalse();
      Files.setLastModifiedTime(edited, FileTime.from(Instant.now().minusSeconds(7200)));
    }
    makeJarOlder();
    touchOneSource("herald-cli"); // not inside the demo's jar
    assertThat(upToDate()).as("jar up to date after editing herald-cli").isTrue();
  }

  @Test
  @Order(4)
  void theBenchmarkJarBuildsTheSameWay() throws Exception {
    Run run =
        command(
            tree.resolve("tools/build-jar.sh").toString(),
            "herald-bench",
            tree.resolve("herald-bench/target/herald-benchmarks.jar").toString());

    assertThat(run.exit).as("exit status; stderr:%n%s", run.err).isZero();
    assertThat(tree.resolve("herald-bench/target/herald-benchmarks.jar")).isRegularFile();
  }

  @Test
  @Order(5)
  void aProjectBuildsOnHeraldWithTheReadmesCoordinatesAndImports() throws Exception {
    Run install =
        command(
            "mvn", "-B", "-q", "-f", tree.resolve("pom.xml").toString(), "install", "-DskipTests");
    assertThat(install.exit).as("mvn install; output:%n%s%n%s", install.out, install.err).isZero();
    for (String module : List.of("herald-core", "herald-codec", "herald-log", "herald-kafka")) {
      Path dir = repository.resolve("dev/herald").resolve(module).resolve(VERSION);
      for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
        assertThat(dir.resolve(module + "-" + VERSION + suffix)).isRegularFile();
      }
    }

    String readme = Files.readString(tree.resolve("README.md"));
    Matcher block =
        Pattern.compile("<!-- snippet: maven -->\\s*```xml\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("the README's Maven coordinates").isTrue();
    Path app = Files.createDirectories(scratch.resolve("app"));
    Files.writeString(app.resolve("pom.xml"), userPom(block.group(1)));
    Path main = app.resolve("src/main/java/com/example/orders/Main.java");
    Files.createDirectories(main.getParent());
    Files.writeString(
        main,
        String.join(
            "\n",
            "package com.example.orders;",
            "import dev.herald.Event;",
            "import dev.herald.EventBus;",
            "import dev.herald.Herald;",
            "import dev.herald.codec.JsonPayloadCodec;",
            "import dev.herald.kafka.KafkaTransport;",
            "import dev.herald.log.LogTransport;",
            "public class Main {",
            "  public static void main(String[] args) {",
            "    try (EventBus bus = Herald.inMemory()) {",
            "      bus.subscribe(String.class, s -> System.out.println(\"got \" + s));",
            "      bus.publish(Event.of(\"greeting\", \"hello\")).join();",
            "    }",
            "    System.out.println(LogTransport.class.getSimpleName() + \" \"",
            "        + KafkaTransport.class.getSimpleName() + \" \" + JsonPayloadCodec.class.getSimpleName());",
            "  }",
            "}",
            ""));

    Run compile = command("mvn", "-B", "-q", "-f", app.resolve("pom.xml").toString(), "compile");
    assertThat(compile.exit)
        .as("the user's build; output:%n%s%n%s", compile.out, compile.err)
        .isZero();
    Path core =
        repository
            .resolve("dev/herald/herald-core")
            .resolve(VERSION)
            .resolve("herald-core-" + VERSION + ".jar");
    Run run =
        command(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            app.resolve("target/classes")
                + java.io.File.pathSeparator
                + core
                + java.io.File.pathSeparator
                + jarsOf("herald-log", "herald-kafka", "herald-codec"),
            "com.example.orders.Main");
    assertThat(run.exit).as("the user's program; stderr:%n%s", run.err).isZero();
    assertThat(run.out)
        .contains("got hello")
        .contains("LogTransport KafkaTransport JsonPayloadCodec");
  }

  private static final String VERSION = "0.1.0-SNAPSHOT";

  private static String jarsOf(String... modules) {
    StringBuilder cp = new StringBuilder();
    for (String m : modules) {
      if (cp.length() > 0) {
        cp.append(java.io.File.pathSeparator);
      }
      cp.append(
          repository
              .resolve("dev/herald")
              .resolve(m)
              .resolve(VERSION)
              .resolve(m + "-" + VERSION + ".jar"));
    }
    return cp.toString();
  }

  /** A user's pom: Java 17, the plugins' versions this build uses, the README's dependencies. */
  private static String userPom(String dependencies) {
    return String.join(
        "\n",
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
        "  <modelVersion>4.0.0</modelVersion>",
        "  <groupId>com.example</groupId>",
        "  <artifactId>orders</artifactId>",
        "  <version>1</version>",
        "  <properties>",
        "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>",
        "    <maven.compiler.release>17</maven.compiler.release>",
        "  </properties>",
        "  <dependencies>",
        dependencies,
        "  </dependencies>",
        "  <build><plugins>",
        "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>",
        "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>",
        "  </plugins></build>",
        "</project>",
        "");
  }

  private static Path jar() {
    return tree.resolve("herald-examples/target/herald-examples.jar");
  }

  /**
   * Dates the jar two seconds back: a source touched next is newer than it, and every other source
   * (copied, built from or set back before) stays older.
   */
  private static void makeJarOlder() throws IOException {
    Files.setLastModifiedTime(jar(), FileTime.from(Instant.now().minusSeconds(2)));
  }

  /** What the launcher decides before it runs the demo, without building. */
  private static boolean upToDate() throws Exception {
    Run check =
        command(
            tree.resolve("tools/build-jar.sh").toString(),
            "herald-examples",
            jar().toString(),
            "--check");
    assertThat(check.exit).as("--check's status; stderr:%n%s", check.err).isIn(0, 1);
    return check.exit == 0;
  }

  private static Run launcher(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = tree.resolve("herald").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    return command(cmd);
  }

  private static Run command(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(scratch.toFile());
    Map<String, String> env = pb.environment();
    String opts = env.getOrDefault("MAVEN_OPTS", "");
    env.put("MAVEN_OPTS", (opts + " -Dmaven.repo.local=" + repository).trim());
    Path out = Files.createTempFile(scratch, "out", ".txt");
    Path err = Files.createTempFile(scratch, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("no exit within " + BUILD_MINUTES + " minutes: " + List.of(cmd));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Gives one main source file of {@code module} a modification time after the jar's. */
  private static Path touchOneSource(String module) throws IOException {
    try (Stream<Path> files = Files.walk(tree.resolve(module).resolve("src/main/java"))) {
      Path source = files.filter(f -> f.toString().endsWith(".java")).findFirst().orElseThrow();
      Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
      return source;
    }
  }

  /** The project's files as a clone has them: no build output, no Git metadata. */
  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(from) && NOT_COPIED.contains(dir.getFileName().toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(file).toString());
            Files.copy(file, target);
            if (Files.isExecutable(file)) {
              target.toFile().setExecutable(true);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * A local repository with every artifact of the user's but Herald's own: links to each top-level
   * entry of the real one, and inside {@code dev/}, to each entry but {@code herald}. Links, not
   * copies: the repository holds hundreds of megabytes.
   */
  private static Path repositoryWithoutHerald(Path view) throws IOException {
    String configured = System.getProperty("maven.repo.local");
    Path real =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".m2", "repository");
    Files.createDirectories(view);
    try (Stream<Path> entries = Files.list(real)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (!entry.getFileName().toString().equals("dev")) {
          Files.createSymbolicLink(view.resolve(entry.getFileName().toString()), entry);
        }
      }
    }
    Path dev = real.resolve("dev");
    if (Files.isDirectory(dev)) {
      Path devView = Files.createDirectories(view.resolve("dev"));
      try (Stream<Path> entries = Files.list(dev)) {
        for (Path entry : (Iterable<Path>) entries::iterator) {
          if (!entry.getFileName().toString().equals("herald")) {
            Files.createSymbolicLink(devView.resolve(entry.getFileName().toString()), entry);
          }
        }
      }
    }
    assertThat(view.resolve("dev/herald")).doesNotExist();
    return view;
  }

  private record Run(int exit, String out, String err) {}
}
