package dev.herald.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.TypePattern;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a tokens file, the source of {@link TokenAccess}:
 *
 * <pre>{@code
 * {"tokens": [
 *   {"name": "shop", "token": "...", "publish": ["order.*"], "subscribe": ["order.#"],
 *    "groups": ["shop-*"], "admin": false},
 *   {"name": "ops", "sha256": "<64 hex digits: SHA-256 of the token's UTF-8 bytes>", "admin": true}
 * ]}
 * }</pre>
 *
 * Strict: an unknown field, a missing name, neither or both of {@code token} and {@code sha256}, an
 * invalid pattern, a duplicate name or token, or anything beyond the bounds below is refused with
 * an {@link IllegalArgumentException} naming the file, the line and the field ({@code
 * tokens[1].publish[0]}). Secrets are never part of a message. Stateless.
 */
final class TokenFile {
  static final int MAX_BYTES = 1 << 20;
  static final int MAX_TOKENS = 10_000;
  static final int MAX_PATTERNS = 1_000;
  static final int MAX_NAME_LENGTH = 64;
  static final int MIN_TOKEN_LENGTH = 16;
  static final int MAX_TOKEN_LENGTH = 4096;

  private static final JsonFactory JSON = new JsonFactory();

  /** One token's grant; {@code sha256} is the digest of the token, never the token. */
  record Entry(
      String name,
      byte[] sha256,
      List<TypePattern> publish,
      List<TypePattern> subscribe,
      List<GroupPattern> groups,
      boolean admin) {}

  private final String source;
  private final JsonParser parser;

  private TokenFile(String source, JsonParser parser) {
    this.source = source;
    this.parser = parser;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it is larger than {@value #MAX_BYTES} bytes or not a valid
   *     tokens file
   */
  static List<Entry> read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          file + ": larger than " + MAX_BYTES + " bytes, the most a tokens file may hold");
    }
    return parse(bytes, file.toString());
  }

  /**
   * Parses a tokens file's bytes (UTF-8 JSON); {@code source} names it in messages.
   *
   * @throws IllegalArgumentException if it is not a valid tokens file
   */
  static List<Entry> parse(byte[] json, String source) {
    if (json.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          source + ": larger than " + MAX_BYTES + " bytes, the most a tokens file may hold");
    }
    try (JsonParser p = JSON.createParser(json)) {
      return new TokenFile(source, p).file();
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr();
      // Jackson's own message may quote the offending text, which may be a secret: the place only.
      throw new IllegalArgumentException(source + where + ": not valid JSON there");
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": cannot be parsed: " + e.getMessage(), e);
    }
  }

  /** The SHA-256 digest of {@code token}'s UTF-8 bytes. */
  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Whether {@code token} has the syntax of an RFC 6750 bearer token ({@code b64token}: letters,
   * digits, {@code -._~+/}, then any {@code =}).
   */
  static boolean isBearerSyntax(String token) {
    int i = 0;
    int n = token.length();
    while (i < n && isB64Char(token.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    while (i < n && token.charAt(i) == '=') {
      i++;
    }
    return i == n;
  }

  private static boolean isB64Char(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/';
  }

  private List<Entry> file() throws IOException {
    expect(parser.nextToken(), JsonToken.START_OBJECT, "the file", "an object {\"tokens\": [...]}");
    List<Entry> entries = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      if (!field.equals("tokens")) {
        throw fail(field, "unknown field (the file has only \"tokens\")");
      }
      if (entries != null) {
        throw fail(field, "given twice");
      }
      entries = tokens();
    }
    if (parser.nextToken() != null) {
      throw fail("the file", "has more after its object");
    }
    if (entries == null) {
      throw fail("the file", "has no \"tokens\" array");
    }
    if (entries.isEmpty()) {
      throw fail("tokens", "is empty: with no token every request would be refused");
    }
    return entries;
  }

  private List<Entry> tokens() throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "tokens", "an array");
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      String at = "tokens[" + entries.size() + "]";
      if (entries.size() == MAX_TOKENS) {
        throw fail(at, "more than " + MAX_TOKENS + " tokens");
      }
      int line = parser.currentTokenLocation().getLineNr();
      Entry e = entry(at);
      if (!names.add(e.name())) {
        throw fail(line, at + ".name", "'" + e.name() + "' is the name of an earlier token too");
      }
      if (!digests.add(HexFormat.of().formatHex(e.sha256()))) {
        throw fail(line, at, "the same token as an earlier one (" + e.name() + ")");
      }
      entries.add(e);
    }
    return entries;
  }

  private Entry entry(String at) throws IOException {
    expect(parser.currentToken(), JsonToken.START_OBJECT, at, "an object");
    int line = parser.currentTokenLocation().getLineNr();
    String name = null;
    byte[] digest = null;
    int secrets = 0;
    List<TypePattern> publish = List.of();
    List<TypePattern> subscribe = List.of();
    List<GroupPattern> groups = List.of();
    boolean admin = false;
    Set<String> seen = new HashSet<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      String path = at + "." + field;
      if (!seen.add(field)) {
        throw fail(path, "given twice");
      }
      JsonToken value = parser.nextToken();
      switch (field) {
        case "name" -> name = name(path, value);
        case "token" -> {
          digest = TokenFile.sha256(token(path, value));
          secrets++;
        }
        case "sha256" -> {
          digest = digest(path, value);
          secrets++;
        }
        case "publish" -> publish = patterns(path, value);
        case "subscribe" -> subscribe = patterns(path, value);
        case "groups" -> groups = groupPatterns(path, value);
        case "admin" -> {
          if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            throw fail(path, "must be true or false");
          }
          admin = value == JsonToken.VALUE_TRUE;
        }
        default ->
            throw fail(
                path,
                "unknown field (known: name, token, sha256, publish, subscribe, groups, admin)");
      }
    }
    if (name == null) {
      throw fail(line, at + ".name", "missing");
    }
    if (digest == null) {
      throw fail(line, at, "needs \"token\" or \"sha256\"");
    }
    if (secrets > 1) {
      throw fail(line, at, "has both \"token\" and \"sha256\": give one");
    }
    return new Entry(name, digest, publish, subscribe, groups, admin);
  }

  private String name(String path, JsonToken value) throws IOException {
    String name = string(path, value);
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw fail(path, "must have 1 to " + MAX_NAME_LENGTH + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c > '~') {
        throw fail(path, "character at index " + i + " is not printable ASCII");
      }
    }
    return name;
  }

  private String token(String path, JsonToken value) throws IOException {
    String token = string(path, value);
    if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
      throw fail(path, "must have " + MIN_TOKEN_LENGTH + " to " + MAX_TOKEN_LENGTH + " characters");
    }
    if (!isBearerSyntax(token)) {
      throw fail(path, "not a bearer token: only letters, digits, -._~+/ and trailing = are");
    }
    return token;
  }

  private byte[] digest(String path, JsonToken value) throws IOException {
    String hex = string(path, value);
    if (hex.length() != 64) {
      throw fail(path, "must be 64 hex digits (a SHA-256 digest), has " + hex.length());
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw fail(path, "must be 64 hex digits (a SHA-256 digest)");
    }
  }

  private List<TypePattern> patterns(String path, JsonToken value) throws IOException {
    return patterns(path, value, "type patterns", TypePattern::of);
  }

  private List<GroupPattern> groupPatterns(String path, JsonToken value) throws IOException {
    return patterns(path, value, "group name patterns", GroupPattern::of);
  }

  /** An array of at most {@link #MAX_PATTERNS} patterns, each read by {@code parse}. */
  private <P> List<P> patterns(String path, JsonToken value, String what, Function<String, P> parse)
      throws IOException {
    expect(value, JsonToken.START_ARRAY, path, "an array of " + what);
    List<P> out = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      String at = path + "[" + out.size() + "]";
      if (out.size() == MAX_PATTERNS) {
        throw fail(at, "more than " + MAX_PATTERNS + " patterns");
      }
      String text = string(at, parser.currentToken());
      try {
        out.add(parse.apply(text));
      } catch (IllegalArgumentException e) {
        throw fail(at, e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private String string(String path, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw fail(path, "must be a string");
    }
    return parser.getText();
  }

  private void expect(JsonToken actual, JsonToken expected, String path, String what) {
    if (actual != expected) {
      throw fail(path, "must be " + what);
    }
  }

  private IllegalArgumentException fail(String path, String problem) {
    return fail(parser.currentTokenLocation().getLineNr(), path, problem);
  }

  private IllegalArgumentException fail(int line, String path, String problem) {
    return new IllegalArgumentException(source + " line " + line + ": " + path + ": " + problem);
  }
}
