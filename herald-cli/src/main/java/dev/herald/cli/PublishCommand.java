package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.Event;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code events publish}: one event whose data is {@code --payload JSON} or the JSON of {@code
 * --file F}, or many from standard input ({@code -}: one JSON data per line), sent over HTTP as one
 * structured event or as batches ({@code application/cloudevents-batch+json}), or appended to the
 * store directly. Exit 1 when any event was refused.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publish an event: data from --payload JSON or --file F, or many events from standard input ('-':"
          + " one JSON data per line, sent in batches).",
      "Prints each event's id and position. Exit status: 0 all stored, 1 any refused, 2 usage error."
    })
final class PublishCommand implements Callable<Integer> {
  /** The largest data of one event read from --payload, --file or a line of standard input. */
  static final int MAX_DATA_BYTES = 1 << 20;

  private final Terminal terminal;

  @Spec CommandSpec spec;

  @Mixin TargetOptions target;

  @Mixin OutputOptions output;

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The event type.")
  String type;

  @Option(
      names = "--source",
      paramLabel = "URI",
      defaultValue = "herald-cli",
      description = "The event source (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description = "The event id (default: a random UUID); one event only.")
  String id;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "The partition key (partitionkey attribute).")
  String key;

  @ArgGroup(exclusive = true)
  Data data;

  /** Where the data comes from: at most one of these. */
  static final class Data {
    @Option(
        names = "--payload",
        required = true,
        paramLabel = "JSON",
        description = "The event's data, as JSON ('--data' names the store).")
    String json;

    @Option(
        names = "--file",
        required = true,
        paramLabel = "FILE",
        description = "A file holding the data as JSON.")
    Path file;

    @Parameters(
        paramLabel = "-",
        arity = "1",
        description = "Read standard input: one JSON data per line, one event each.")
    String stdin;
  }

  PublishCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws IOException {
    List<JsonNode> datas = datas();
    if (id != null && datas.size() != 1) {
      throw new ParameterException(spec.commandLine(), "--id names one event; got " + datas.size());
    }
    String time = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
    List<ObjectNode> events = new ArrayList<>(datas.size());
    for (JsonNode d : datas) {
      events.add(event(d, time));
    }
    List<ObjectNode> results;
    try (Target t = target.open()) {
      results = t.publish(events);
    }
    PrintWriter out = spec.commandLine().getOut();
    long refused = results.stream().filter(r -> r.path("status").asInt() != 202).count();
    if (output.json()) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.putArray("results").addAll(results);
      OutputOptions.print(out, root);
    } else {
      Table table = new Table("ID", "STATUS", "POSITION");
      for (ObjectNode r : results) {
        int status = r.path("status").asInt();
        table.row(
            r.path("id").asText("-"),
            status,
            status == 202
                ? r.path("position").asText()
                : r.path("detail").asText("refused")
                    + (r.hasNonNull("attribute")
                        ? " (attribute " + r.get("attribute").asText() + ")"
                        : ""));
      }
      table.print(out);
      if (results.size() > 1) {
        out.println(
            (results.size() - refused) + " stored, " + refused + " refused, of " + results.size());
      }
    }
    out.flush();
    return refused == 0 ? 0 : 1;
  }

  private ObjectNode event(JsonNode data, String time) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("specversion", Event.SPEC_VERSION);
    n.put("id", id != null ? id : UUID.randomUUID().toString());
    n.put("type", type);
    n.put("source", source);
    n.put("time", time);
    if (key != null) {
      n.put(Event.PARTITION_KEY, key);
    }
    if (data != null) {
      n.put("datacontenttype", "application/json");
      n.set("data", data);
    }
    return n;
  }

  /** The data of each event to publish: one null for an event without data. */
  private List<JsonNode> datas() throws IOException {
    List<JsonNode> list = new ArrayList<>();
    if (data == null) {
      list.add(null);
    } else if (data.json != null) {
      if (data.json.equals("-")) {
        throw new ParameterException(
            spec.commandLine(),
            "--payload takes the data itself; to read standard input give '-' alone, without"
                + " --payload");
      }
      list.add(parse(data.json, "--payload"));
    } else if (data.file != null) {
      list.add(parse(readFile(data.file), "--file " + data.file));
    } else {
      if (!data.stdin.equals("-")) {
        throw new ParameterException(
            spec.commandLine(),
            "unexpected argument '" + data.stdin + "': give '-' to read standard input");
      }
      readStdin(list);
    }
    return list;
  }

  private void readStdin(List<JsonNode> list) throws IOException {
    InputStream in = new BufferedInputStream(terminal.in());
    LineReader lines = new LineReader(in, MAX_DATA_BYTES);
    String line;
    try {
      while ((line = lines.next()) != null) {
        if (!line.isBlank()) {
          list.add(parse(line, "standard input, line " + lines.lineNumber()));
        }
      }
    } catch (LineReader.LineTooLongException e) {
      throw new ParameterException(spec.commandLine(), "standard input: " + e.getMessage());
    }
    if (list.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "standard input held no events");
    }
  }

  private String readFile(Path file) throws IOException {
    try {
      if (Files.size(file) > MAX_DATA_BYTES) {
        throw new ParameterException(
            spec.commandLine(), "--file " + file + " is larger than " + MAX_DATA_BYTES + " bytes");
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "--file: no such file: " + file);
    }
  }

  /**
   * Jackson's message without its location, on one line; some of its messages run two sentences
   * together ("Unexpected end-of-inputNo digit following sign"), separated here.
   */
  static String jsonError(JsonProcessingException e) {
    String m = String.valueOf(e.getOriginalMessage()).replace('\n', ' ');
    return m.replaceAll("end-of-input(?=[A-Z])", "end-of-input: ");
  }

  private JsonNode parse(String text, String where) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ParameterException(spec.commandLine(), where + " is not JSON: " + jsonError(e));
    }
  }
}
