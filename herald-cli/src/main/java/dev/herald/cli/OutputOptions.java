package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --output table|json}: a table (or lines) for people, or exactly one JSON document on
 * standard output for programs. Messages and progress always go to standard error.
 */
final class OutputOptions {
  /** The two forms of a command's result. */
  enum Format {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table (default) or json: exactly one JSON document on standard output.")
  Format format;

  boolean json() {
    return format == Format.json;
  }

  /** Prints {@code document} as one line of JSON. */
  static void print(PrintWriter out, JsonNode document) {
    try {
      out.println(Json.MAPPER.writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written: " + e, e);
    }
    out.flush();
  }
}
