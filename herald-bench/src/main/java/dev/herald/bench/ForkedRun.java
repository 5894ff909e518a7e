package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one item of a latency harness (a library, a durable setup) in a JVM of its own, as JMH
 * forks: this JVM's java, class path, heap settings and properties, the harness's own options, and
 * {@code --fork false} so the child measures in process. The child writes its results as a JSON
 * array, read back here.
 */
public final class ForkedRun {
  private ForkedRun() {}

  /**
   * Runs {@code mainClass} with {@code opts}, its {@code --<itemOption>} set to {@code item}, in a
   * child JVM, and returns the results it wrote.
   */
  public static <T> List<T> results(
      Class<?> mainClass, Map<String, String> opts, String itemOption, String item, Class<T[]> type)
      throws IOException {
    Path json = Files.createTempFile("herald-bench-" + item, ".json");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (arg.startsWith("-X") || arg.startsWith("-D")) {
          cmd.add(arg); // heap and properties as this JVM's; not agents or debug options
        }
      }
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass.getName());
      for (Map.Entry<String, String> o : opts.entrySet()) {
        String name = o.getKey();
        if (!name.equals(itemOption) && !name.equals("fork") && !name.equals("json")) {
          cmd.add("--" + name);
          cmd.add(o.getValue());
        }
      }
      cmd.addAll(List.of("--" + itemOption, item, "--fork", "false", "--json", json.toString()));
      Process child =
          new ProcessBuilder(cmd)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      int status;
      try {
        status = child.waitFor();
      } catch (InterruptedException e) {
        child.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while measuring " + item, e);
      }
      if (status != 0) {
        throw new IOException(
            "measuring " + item + " in a child JVM failed, exit status " + status);
      }
      return List.of(new ObjectMapper().readValue(json.toFile(), type));
    } finally {
      Files.deleteIfExists(json);
    }
  }

  /** Measures one item here, in this JVM: a library, a durable setup. */
  @FunctionalInterface
  public interface Measure<T> {
    List<T> measure(String item) throws IOException;
  }

  /**
   * What a latency harness's {@code main} does with its items: measures each of {@code items} (the
   * comma-separated {@code --<itemOption>}, else {@code defaults}) in a JVM of its own when {@code
   * --fork} is true (the default), else here after {@code --warmup-rounds} untimed rounds (default
   * 1); prints {@code header}, then each result as {@code line} formats it as soon as it is
   * measured; writes them all to {@code --json} when given, and returns them.
   */
  public static <T> List<T> runEach(
      Class<?> mainClass,
      Map<String, String> opts,
      String itemOption,
      List<String> defaults,
      Class<T[]> type,
      Measure<T> measure,
      String header,
      Function<T, String> line)
      throws IOException {
    String[] items = opts.getOrDefault(itemOption, String.join(",", defaults)).split(",");
    boolean fork = Boolean.parseBoolean(opts.getOrDefault("fork", "true"));
    int warmupRounds = Integer.parseInt(opts.getOrDefault("warmup-rounds", "1"));
    List<T> all = new ArrayList<>();
    System.out.println(header);
    for (String item : items) {
      List<T> measured;
      if (fork) {
        measured = results(mainClass, opts, itemOption, item, type);
      } else {
        for (int round = 0; round < warmupRounds; round++) {
          measure.measure(item); // warms the JVM; result discarded
        }
        measured = measure.measure(item);
      }
      for (T r : measured) {
        all.add(r);
        System.out.println(line.apply(r));
      }
    }
    String json = opts.get("json");
    if (json != null) {
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(Path.of(json).toFile(), all);
    }
    return all;
  }
}
