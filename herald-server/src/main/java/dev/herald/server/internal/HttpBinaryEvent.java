package dev.herald.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.codec.CloudEventsStructured;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * Reads an event in the CloudEvents HTTP binding's binary content mode: each attribute in a {@code
 * ce-<name>} header (names compared ignoring case, values percent-decoded as the binding requires),
 * the body as the data, {@code Content-Type} as the datacontenttype.
 *
 * <pre>
 *   ce-specversion  "1.0"                         required
 *   ce-id, ce-type, ce-source                     required
 *   ce-time         RFC 3339                      optional (else the time of publish)
 *   ce-subject                                    optional
 *   ce-dataschema                                 ignored (Herald events carry no schema URI)
 *   ce-&lt;other&gt;      extension attribute           ce-partitionkey sets the key
 *   Content-Type    datacontenttype               JSON (or none): data is JSON (a JsonNode);
 *                                                 text/*: a String; any other: a byte[]
 * </pre>
 *
 * An empty body is no data, whatever the {@code Content-Type}; a body of whitespace only under a
 * JSON type is not JSON (400), nor is one with content after its JSON value. A {@code Content-Type}
 * without a media type ({@code ;}) is a 400 naming {@code datacontenttype}. Stateless.
 */
final class HttpBinaryEvent {
  private static final String PREFIX = "ce-";

  private HttpBinaryEvent() {}

  /**
   * The event in {@code ctx}'s headers and {@code body}.
   *
   * @throws ApiError 400 naming the attribute at fault
   */
  static Event<Object> read(
      Context ctx, byte[] body, ObjectMapper mapper, CloudEventsStructured onePass) {
    String specVersion = null;
    String id = null;
    String type = null;
    String source = null;
    String time = null;
    String subject = null;
    Event.Builder<Object> b = Event.builder(null);
    var names = ctx.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String header = names.nextElement();
      if (header.length() <= PREFIX.length()
          || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        continue;
      }
      String name = header.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
      String value = percentDecoded(name, ctx.req().getHeader(header));
      switch (name) {
        case "specversion" -> specVersion = value;
        case "id" -> id = value;
        case "type" -> type = value;
        case "source" -> source = value;
        case "time" -> time = value;
        case "subject" -> subject = value;
        case "dataschema" -> {}
        case "datacontenttype" ->
            throw ApiError.badRequest(
                "datacontenttype",
                "in binary mode the datacontenttype is the Content-Type header, not ce-"
                    + "datacontenttype");
        default -> {
          try {
            b.extension(name, value);
          } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(name, e.getMessage());
          }
        }
      }
    }
    if (specVersion == null) {
      throw ApiError.badRequest(
          "specversion",
          "a binary-mode CloudEvent needs the ce-specversion header (or send application/"
              + "cloudevents+json)");
    }
    if (!Event.SPEC_VERSION.equals(specVersion)) {
      throw ApiError.badRequest(
          "specversion", "unsupported CloudEvents specversion '" + specVersion + "'");
    }
    require("id", id);
    require("type", type);
    require("source", source);
    b.type(type).id(id).source(source).subject(subject);
    if (time != null) {
      try {
        b.time(OffsetDateTime.parse(time).toInstant());
      } catch (DateTimeException e) {
        throw ApiError.badRequest("time", "time: '" + time + "' is not an RFC 3339 timestamp");
      }
    }
    String contentType = ctx.header("Content-Type");
    if (contentType != null && PublishBody.mediaType(contentType) == null) {
      // "; charset=utf-8" or ";": a datacontenttype without its media type says nothing of how the
      // data is to be read, so it is the client's error, whatever the body.
      throw ApiError.badRequest(
          "datacontenttype",
          "datacontenttype: the Content-Type '" + contentType + "' has no media type");
    }
    b.dataContentType(contentType);
    try {
      return b.data(data(body, contentType, mapper, onePass)).build();
    } catch (IllegalArgumentException e) {
      throw PublishRefusals.invalid(e);
    }
  }

  private static void require(String attribute, String value) {
    if (value == null) {
      throw ApiError.badRequest(
          attribute, attribute + ": a CloudEvent needs it (header ce-" + attribute + ")");
    }
  }

  private static Object data(
      byte[] body, String contentType, ObjectMapper mapper, CloudEventsStructured onePass) {
    if (body.length == 0) {
      return null;
    }
    if (EventJson.isJson(contentType)) {
      // An object or an array is kept as its compact text, read in one pass without a tree; the
      // rest (a scalar, a name twice, what is not JSON) is read into a tree, which answers for it.
      JsonNode kept = onePass.compactJsonData(body);
      if (kept != null) {
        return kept;
      }
      try {
        // The mapper fails on content after the value; a body of whitespace only holds no value,
        // which is not the "no data" of an empty body but a body that is not JSON.
        JsonNode tree = mapper.readTree(body);
        if (tree == null || tree.isMissingNode()) {
          throw ApiError.badRequest(
              "data",
              "data: the body holds only whitespace, not the JSON its Content-Type declares");
        }
        return tree;
      } catch (IOException e) {
        throw ApiError.badRequest(
            "data", "data: the body is not the JSON its Content-Type declares");
      }
    }
    if (PublishBody.mediaType(contentType).startsWith("text/")) {
      return new String(body, charset(contentType));
    }
    return body;
  }

  private static Charset charset(String contentType) {
    int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at < 0) {
      return StandardCharsets.UTF_8;
    }
    String name = contentType.substring(at + "charset=".length());
    int semi = name.indexOf(';');
    name = (semi < 0 ? name : name.substring(0, semi)).trim().replace("\"", "");
    try {
      return Charset.forName(name);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("datacontenttype", "unknown charset '" + name + "'");
    }
  }

  /** A header value with its {@code %XX} escapes decoded as UTF-8, as the HTTP binding writes. */
  static String percentDecoded(String attribute, String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw ApiError.badRequest(
              attribute, attribute + ": malformed percent-encoding at index " + i);
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        int cp = value.codePointAt(i);
        byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        i += Character.charCount(cp) - 1;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
