package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.kafka.embedded.EmbeddedKafka;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of the README, compiled and run as a user's program would be: each in a JVM of
 * its own, on Herald's jars, so a snippet that stops compiling or working fails the build.
 *
 * <p>Each {@code ```java} block in README.md is preceded by {@code <!-- snippet: NAME -->}. The
 * test wraps the block's statements in a {@code main} (its top-level {@code record}s and classes
 * become nested types, visible to every snippet, as one source file of a user's would hold them),
 * supplies the README's stand-ins ({@code ship}, {@code bill}, {@code charge}: they record what
 * they are given; {@code dir}: a fresh directory), then runs what {@link #CHECKS} adds after the
 * block: the events a snippet leaves for the reader to publish, and what must then have happened.
 * The generated classes live in {@code com.example.orders}, the package the README's codec allows.
 * A block whose name has no check fails the test: a new snippet is tested from the day it is
 * written.
 */
class ReadmeSnippetsTest {
  private static final Pattern BLOCK =
      Pattern.compile("<!-- snippet: ([a-z0-9-]+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern EXCERPT =
      Pattern.compile(
          "<!-- excerpt: ([A-Za-z0-9_./-]+) -->\\s*```(java|properties)\\n(.*?)```",
          Pattern.DOTALL);
  private static final Pattern ANY_JAVA_BLOCK = Pattern.compile("```java\\n");

  /** The README's illustrative Kafka cluster; the test runs the snippet on a broker of its own. */
  private static final String README_BROKERS = "\"broker1:9092,broker2:9092\"";

  /** What runs after each snippet's statements, in the same scope (so it sees {@code bus}). */
  private static final Map<String, String> CHECKS =
      Map.of(
          "first-steps",
          "",
          "durable-log",
          publishOneOrderAndExpect("SHIPPED", "BILLED"),
          "kafka",
          publishOneOrderAndExpect("SHIPPED"),
          "annotated",
          publishOneOrderAndExpect("SHIPPED", "CHARGED"));

  /** What each snippet's run must print on stdout. */
  private static final Map<String, String> OUTPUT = Map.of("first-steps", "placed o-1");

  @TempDir static Path work;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyJavaSnippetOfTheReadmeCompilesAndRuns() throws Exception {
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
    Map<String, String> snippets = snippets(readme);
    assertThat(snippets.keySet()).as("snippets with a check").containsAll(CHECKS.keySet());
    assertThat(CHECKS.keySet())
        .as("checks for the README's snippets")
        .containsAll(snippets.keySet());

    List<String> declarations = new ArrayList<>();
    snippets.values().forEach(body -> declarations.addAll(split(body).declarations));
    for (Map.Entry<String, String> s : snippets.entrySet()) {
      Run run = compileAndRun(s.getKey(), s.getValue(), declarations);
      assertThat(run.exit).as("snippet %s: exit status; stderr:%n%s", s.getKey(), run.err).isZero();
      assertThat(run.out)
          .as("snippet %s: stdout", s.getKey())
          .contains(OUTPUT.getOrDefault(s.getKey(), ""));
    }
  }

  /**
   * Publishes order o-1, then waits until each of {@code stands} (the lists behind the README's
   * stand-ins) holds it as an {@code OrderPlaced}, a typed payload, whether given the event or the
   * payload; then closes the snippet's bus.
   */
  private static String publishOneOrderAndExpect(String... stands) {
    StringBuilder code =
        new StringBuilder(
            "bus.publish(Event.of(\"order.placed\", \"o-1\", new OrderPlaced(\"o-1\", 4200))).join();\n");
    for (String list : stands) {
      code.append(
          String.join(
              "\n",
              "org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !"
                  + list
                  + ".isEmpty());",
              "{",
              "  Object got = " + list + ".get(0);",
              "  Object payload = got instanceof Event<?> e ? e.data() : got;",
              "  if (!(payload instanceof OrderPlaced o) || !o.orderId().equals(\"o-1\")) {",
              "    throw new AssertionError(\""
                  + list
                  + " \" + payload + \" (\" + payload.getClass() + \"), not OrderPlaced o-1\");",
              "  }",
              "}",
              ""));
    }
    return code.append("bus.close();\n").toString();
  }

  /**
   * The README's Java blocks by name, in order; a block without a name fails. An excerpt ({@code
   * <!-- excerpt: PATH -->}) is not run here: it must be, line for line, code of the file at PATH,
   * which that module's own tests run (the Spring Boot sample's beans, say).
   */
  private static Map<String, String> snippets(String readme) throws IOException {
    Map<String, String> named = new LinkedHashMap<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      assertThat(named.put(m.group(1), m.group(2)))
          .as("snippet name %s used twice", m.group(1))
          .isNull();
    }
    int excerpts = 0;
    Matcher x = EXCERPT.matcher(readme);
    Path root = Path.of("").toAbsolutePath().getParent();
    while (x.find()) {
      if (x.group(2).equals("java")) {
        excerpts++;
      }
      String file = Files.readString(root.resolve(x.group(1)));
      assertThat(normalised(file))
          .as("the README's excerpt of %s is code of that file", x.group(1))
          .contains(normalised(x.group(3)));
    }
    long blocks = ANY_JAVA_BLOCK.matcher(readme).results().count();
    assertThat(named.size() + excerpts)
        .as("every ```java block of the README is named <!-- snippet: NAME --> or an excerpt")
        .isEqualTo((int) blocks);
    return named;
  }

  /** Lines stripped of indentation, blank lines and lines of "..." dropped. */
  private static String normalised(String code) {
    StringBuilder b = new StringBuilder();
    for (String line : code.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.equals("...") && !t.startsWith("import ")) {
        b.append(t).append('\n');
      }
    }
    return b.toString();
  }

  private record Parts(List<String> declarations, String statements) {}

  /**
   * Top-level type declarations (they start at column 0, and end on their line or at a "}" in
   * column 0) apart from the statements. Classes become static nested classes, so that the
   * snippet's statements in {@code main} can create them.
   */
  private static Parts split(String body) {
    List<String> declarations = new ArrayList<>();
    StringBuilder statements = new StringBuilder();
    StringBuilder open = null;
    for (String line : body.split("\n", -1)) {
      if (open != null) {
        open.append('\n').append(line);
        if (line.equals("}")) {
          declarations.add(open.toString());
          open = null;
        }
      } else if (line.matches("(record|class|interface|enum) .*")) {
        String declaration = line.startsWith("class ") ? "static " + line : line;
        if (line.endsWith("{")) {
          open = new StringBuilder(declaration);
        } else {
          declarations.add(declaration);
        }
      } else {
        statements.append(line).append('\n');
      }
    }
    assertThat(open).as("a declaration of the snippet ends with a } in column 0").isNull();
    return new Parts(declarations, statements.toString());
  }

  private static Run compileAndRun(String name, String body, List<String> declarations)
      throws IOException, InterruptedException {
    StringBuilder className = new StringBuilder("Readme");
    for (String word : name.split("-")) {
      className.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    String statements =
        split(body).statements.replace(README_BROKERS, "System.getProperty(\"bootstrap\")");
    String source =
        String.join(
            "\n",
            "package com.example.orders;",
            "import dev.herald.*;",
            "import dev.herald.codec.*;",
            "import dev.herald.log.*;",
            "import dev.herald.kafka.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "public final class " + className + " {",
            String.join("\n", declarations),
            "  static final List<Object> SHIPPED = new CopyOnWriteArrayList<>();",
            "  static final List<Object> CHARGED = new CopyOnWriteArrayList<>();",
            "  static final List<Object> BILLED = new CopyOnWriteArrayList<>();",
            "  static void ship(Object o) { SHIPPED.add(o); }",
            "  static void bill(Object o) { BILLED.add(o); }",
            "  static void charge(Object o) { CHARGED.add(o); }",
            "  public static void main(String[] args) throws Exception {",
            "    Path dir = Files.createTempDirectory(\"readme-\");",
            statements,
            CHECKS.get(name),
            "    System.exit(0);", // the bus a snippet leaves open must not keep the JVM alive
            "  }",
            "}");
    Path src = work.resolve(name).resolve("com/example/orders/" + className + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve(name).resolve("classes"));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of(
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    classes.toString(),
                    "-proc:none", // no annotation processing: @Subscribe is read at run time
                    "-Xlint:all",
                    "-Werror"),
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src))
            .call();
    assertThat(compiled).as("snippet %s compiles:%n%s%n%s", name, diagnostics, source).isTrue();

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx512m",
            "-Dbootstrap=" + kafka.bootstrapServers(),
            "-cp",
            classes + File.pathSeparator + System.getProperty("java.class.path"),
            "com.example.orders." + className);
    Path out = work.resolve(name).resolve("out.txt");
    Path err = work.resolve(name).resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("snippet " + name + " still running after 2 minutes");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private record Run(int exit, String out, String err) {}
}
