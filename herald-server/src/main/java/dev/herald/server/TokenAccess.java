package dev.herald.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bearer tokens read from a tokens file ({@code ./herald serve --tokens FILE}): each token has a
 * name, the type patterns it may publish and subscribe to, the consumer groups it may join, and
 * whether it may administer.
 *
 * <pre>{@code
 * {"tokens": [
 *   {"name": "shop", "token": "s3cr3t-0123456789abcdef", "publish": ["order.*"],
 *    "subscribe": ["order.*", "payment.*"], "groups": ["shop-*"], "admin": false},
 *   {"name": "ops", "sha256": "<hex SHA-256 of the token's UTF-8 bytes>", "admin": true}
 * ]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code token} (16 to 4096 characters of RFC 6750's {@code b64token}) or {@code sha256} (its
 *       digest in hex, so the file need not hold the secret): exactly one of them.
 *   <li>{@code publish}: a request may publish an event whose type one of these patterns matches.
 *   <li>{@code subscribe}: a request may stream or push by webhook a pattern only if every type the
 *       pattern can match is matched by one of these (a conservative check: {@code order.*} is
 *       within {@code order.#}, {@code #} is within nothing but {@code #}).
 *   <li>{@code groups}: the consumer groups a stream or a webhook of this token may join, as
 *       patterns of group names ({@code *} any run of characters, nothing else special: {@code
 *       "shop-*"}, {@code "billing"}). Without it, none; an administrator may join any. A webhook
 *       made without a group gets one of its own and needs no grant.
 *   <li>{@code admin}: groups, dead letters, redrive, stats, subscriptions and the dashboard.
 * </ul>
 *
 * Patterns follow Herald's subscription syntax ({@code *} one segment, {@code #} zero or more); a
 * pattern grants types of Herald's own ({@code herald.*}) only if it starts with {@code herald}.
 *
 * <p>A presented token is hashed with SHA-256 and compared with every known digest in constant time
 * ({@link MessageDigest#isEqual}, over all tokens whatever matched), so neither the answer's time
 * nor the file tells a token. Immutable and thread-safe.
 */
public final class TokenAccess implements Access {
  private static final String BEARER = "bearer ";

  private final List<byte[]> digests;
  private final List<TokenPrincipal> principals;

  private TokenAccess(List<TokenFile.Entry> entries) {
    List<byte[]> d = new ArrayList<>(entries.size());
    List<TokenPrincipal> p = new ArrayList<>(entries.size());
    for (TokenFile.Entry e : entries) {
      d.add(e.sha256().clone());
      p.add(new TokenPrincipal(e));
    }
    this.digests = List.copyOf(d);
    this.principals = List.copyOf(p);
  }

  /**
   * Reads a tokens file (at most 1 MiB).
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a valid tokens file; the message names the file,
   *     the line and the field ({@code tokens[1].publish[0]}), never a token
   */
  public static TokenAccess load(Path file) throws IOException {
    return new TokenAccess(TokenFile.read(file));
  }

  /**
   * Parses the text of a tokens file; {@code source} names it in messages.
   *
   * @throws IllegalArgumentException if it is not a valid tokens file
   */
  public static TokenAccess parse(String json, String source) {
    return new TokenAccess(TokenFile.parse(json.getBytes(StandardCharsets.UTF_8), source));
  }

  /** The hex SHA-256 digest of {@code token}, as a tokens file's {@code sha256} field takes it. */
  public static String sha256Hex(String token) {
    return java.util.HexFormat.of().formatHex(TokenFile.sha256(token));
  }

  /** The names of the tokens, in the file's order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(principals.size());
    for (TokenPrincipal p : principals) {
      names.add(p.name());
    }
    return names;
  }

  /**
   * The principal of an {@code Authorization: Bearer <token>} header value (the scheme's case does
   * not matter), or empty for null, another scheme, a malformed or an unknown token.
   */
  @Override
  public Optional<Principal> authenticate(String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = authorization.substring(BEARER.length()).strip();
    if (token.length() > TokenFile.MAX_TOKEN_LENGTH || !TokenFile.isBearerSyntax(token)) {
      return Optional.empty();
    }
    byte[] presented = TokenFile.sha256(token);
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      // No early exit: every digest is compared, so the time does not tell which one matched.
      boolean equal = MessageDigest.isEqual(digests.get(i), presented);
      if (equal && found < 0) {
        found = i;
      }
    }
    return found < 0 ? Optional.empty() : Optional.of(principals.get(found));
  }

  /** Always true: every request but the open ones (health, the dashboard's files) needs a token. */
  @Override
  public boolean required() {
    return true;
  }

  @Override
  public String toString() {
    return "TokenAccess" + names();
  }
}
