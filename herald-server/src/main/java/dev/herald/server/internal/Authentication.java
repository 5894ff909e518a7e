package dev.herald.server.internal;

import dev.herald.server.Access;
import dev.herald.server.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before every endpoint, in this order:
 *
 * <ol>
 *   <li>a request whose {@code Content-Length} is over the body limit is answered 413 before its
 *       body is read, one whose {@code Content-Type} names a charset this JVM does not know 415,
 *       and one whose query string cannot be decoded ({@link QueryParameters}) 400 naming the
 *       parameter, so no endpoint meets any of them;
 *   <li>CORS ({@link Cors}): none unless origins were configured; a preflight from an allowed
 *       origin is answered here, without a token (browsers send none with it);
 *   <li>authentication: finds the request's {@link Principal} with the server's {@link Access} and
 *       stores it for the endpoint ({@link Gateway#principal}). The token comes from {@code
 *       Authorization: Bearer}, or, on GET only, from the {@code access_token} query parameter
 *       (browsers' {@code EventSource} cannot set a header); both at once is a 400. No or an
 *       unknown token is a 401 with {@code WWW-Authenticate: Bearer} (RFC 6750: with {@code
 *       error="invalid_token"} when a token was given). Health ({@code /v1/health*}) and the
 *       dashboard's files ({@code /}, {@code /dashboard/*}, {@code /webjars/*}) are open to GET
 *       without a token.
 * </ol>
 *
 * What each endpoint needs of the principal is the endpoint's to check (403); an answer 403 gets
 * {@code WWW-Authenticate: Bearer error="insufficient_scope"} here, after the endpoint.
 */
final class Authentication {
  static final String REALM = "Bearer realm=\"herald\"";
  static final String ACCESS_TOKEN = "access_token";
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server");

  /** The least a refused request's body is read and dropped, for its client to get the answer. */
  static final long MIN_SWALLOW_BYTES = 2L << 20;

  private Authentication() {}

  static void routes(Gateway gateway, RoutesConfig routes) {
    Access access = gateway.access();
    long maxBody = gateway.limits().maxBodyBytes();
    Cors cors = new Cors(gateway.corsOrigins());
    routes.before(
        ctx -> {
          refuseOversizedBody(ctx, maxBody);
          refuseUnknownCharset(ctx);
          Map<String, List<String>> query = query(ctx);
          cors.apply(ctx);
          if (cors.isPreflight(ctx)) {
            cors.answerPreflight(ctx);
            return;
          }
          authenticate(ctx, access, query);
        });
    routes.after(
        ctx -> {
          if (access.required() && ctx.statusCode() == 403) {
            ctx.header("WWW-Authenticate", REALM + ", error=\"insufficient_scope\"");
          }
          drainRefusedBody(ctx, maxBody);
        });
  }

  /**
   * Reads and drops the body of a refused request that no endpoint read, up to a bound, so the
   * connection ends cleanly: a server that closes a socket with unread bytes resets it, and the
   * client then loses the answer (its 401, 403 or 415) while still sending.
   */
  private static void drainRefusedBody(Context ctx, long maxBody) {
    // Up to the body limit or 2 MiB, whichever is more (as servlet containers swallow 2 MiB): a
    // declared body over the limit is refused before it is read, and a client sending it would
    // lose the 413 too. Beyond that the connection is closed, answer or not.
    long swallow = Math.max(maxBody, MIN_SWALLOW_BYTES);
    if (ctx.statusCode() < 400 || ctx.req().getContentLengthLong() > swallow) {
      return;
    }
    byte[] buffer = new byte[8192];
    long left = swallow;
    try {
      InputStream in = ctx.req().getInputStream();
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client went away or sent a broken body: the refusal stands, there is nothing to add.
      LOG.debug("draining a refused request's body failed", e);
    }
  }

  private static void refuseOversizedBody(Context ctx, long maxBody) {
    long length = ctx.req().getContentLengthLong();
    if (length > maxBody) {
      throw new ApiError(
          413, "the body has " + length + " bytes, more than the limit of " + maxBody);
    }
  }

  private static Map<String, List<String>> query(Context ctx) {
    return QueryParameters.of(ctx);
  }

  /**
   * Refuses a {@code Content-Type} whose charset this JVM does not know or that is no charset name
   * ({@code charset=nope}, {@code charset=@@}), at every endpoint: Jetty throws on one when asked
   * for the request's content type, which an endpoint would answer 500.
   */
  private static void refuseUnknownCharset(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type == null) {
      return;
    }
    String charset = null;
    for (String param : type.split(";")) {
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).trim();
      if (name.equalsIgnoreCase("charset")) {
        charset = eq < 0 ? "" : param.substring(eq + 1).trim().replace("\"", "");
      }
    }
    boolean known;
    try {
      known = charset == null || Charset.isSupported(charset);
      if (known) {
        // Jetty reads the header its own way: what it cannot read is refused the same.
        ctx.req().getContentType();
        ctx.req().getCharacterEncoding();
      }
    } catch (IllegalArgumentException e) { // IllegalCharsetName-, UnsupportedCharsetException
      known = false;
    }
    if (!known) {
      throw new ApiError(
          415,
          "the Content-Type's charset '"
              + WebhookDefinition.abbreviate(charset == null ? type : charset, 100)
              + "' is not one this server knows (send UTF-8)");
    }
  }

  private static void authenticate(Context ctx, Access access, Map<String, List<String>> query) {
    if (!access.required()) {
      ctx.attribute(Gateway.PRINCIPAL, access.authenticate(null).orElseThrow());
      return;
    }
    String header = ctx.header("Authorization");
    List<String> queryTokens = query.getOrDefault(ACCESS_TOKEN, List.of());
    boolean get = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
    if (!queryTokens.isEmpty() && (header != null || queryTokens.size() > 1)) {
      ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_request\"");
      throw new ApiError(400, "give the token once: in the Authorization header or access_token");
    }
    String credentials = header;
    if (credentials == null && !queryTokens.isEmpty() && get) {
      credentials = "Bearer " + queryTokens.get(0);
      // RFC 6750 2.3: an answer to a request with the token in its URI must not be cached or
      // passed on in a Referer.
      ctx.header("Cache-Control", "no-store");
      ctx.header("Referrer-Policy", "no-referrer");
    }
    Optional<Principal> p =
        credentials == null ? Optional.empty() : access.authenticate(credentials);
    if (p.isPresent()) {
      ctx.attribute(Gateway.PRINCIPAL, p.get());
      return;
    }
    if (get && isOpen(ctx.path())) {
      return;
    }
    if (credentials == null || !isBearer(credentials)) {
      // RFC 6750 3.1: a request without bearer credentials (none, or another scheme such as
      // Basic) gets the challenge without an error code; invalid_token is for a bearer token.
      ctx.header("WWW-Authenticate", REALM);
      if (credentials != null) {
        throw new ApiError(
            401, "a bearer token is required (Authorization: Bearer <token>), not another scheme");
      }
      String detail =
          queryTokens.isEmpty()
              ? "a bearer token is required (Authorization: Bearer <token>)"
              : "access_token in the query is accepted on GET only: use Authorization: Bearer";
      throw new ApiError(401, detail);
    }
    ctx.header(
        "WWW-Authenticate",
        REALM + ", error=\"invalid_token\", error_description=\"the token is not known\"");
    throw new ApiError(401, "the bearer token is not known");
  }

  /** Whether {@code authorization} uses the Bearer scheme (the scheme's name ignoring case). */
  private static boolean isBearer(String authorization) {
    return authorization.regionMatches(true, 0, "Bearer ", 0, 7);
  }

  /**
   * Whether a GET of {@code path} needs no token: health and the dashboard's static files (whose
   * data calls go to the admin endpoints, which do). The raw path is what the router matches, so a
   * path with an escape, a dot segment or a parameter is never open.
   */
  static boolean isOpen(String path) {
    if (path.contains("%") || path.contains("..") || path.contains(";") || path.contains("//")) {
      return false;
    }
    return path.equals("/v1/health") || path.startsWith("/v1/health/") || DashboardApi.serves(path);
  }

  /**
   * Cross-origin requests from browsers. With no origins configured nothing is added, so browsers
   * refuse cross-origin calls (and preflights fall through to authentication, a 401). With origins,
   * a request from one of them gets {@code Access-Control-Allow-Origin} (that origin, or {@code *}
   * when {@code "*"} is configured) and a preflight is answered 204 with the methods and headers
   * the API uses; credentials (cookies) are never allowed, as the API takes bearer tokens only. A
   * preflight from another origin is a 403. Immutable.
   */
  static final class Cors {
    private static final String METHODS = "GET, POST, DELETE";
    private static final Set<String> HEADERS =
        Set.of("authorization", "content-type", "accept", "last-event-id", "cache-control");
    private static final String EXPOSED = "Location, Retry-After, WWW-Authenticate";

    private final boolean any;
    private final List<String> origins;

    Cors(List<String> configured) {
      List<String> out = new ArrayList<>();
      boolean star = false;
      for (String o : configured) {
        if (o.equals("*")) {
          star = true;
        } else {
          out.add(requireOrigin(o));
        }
      }
      this.any = star;
      this.origins = List.copyOf(out);
    }

    private static String requireOrigin(String o) {
      try {
        URI u = new URI(o);
        boolean web =
            "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
        if (web
            && u.getHost() != null
            && u.getRawUserInfo() == null
            && (u.getRawPath() == null || u.getRawPath().isEmpty())
            && u.getRawQuery() == null
            && u.getRawFragment() == null) {
          return o.toLowerCase(Locale.ROOT);
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "corsOrigins: '" + o + "' is not an origin such as https://shop.example:8443", e);
      }
      throw new IllegalArgumentException(
          "corsOrigins: '" + o + "' is not an origin such as https://shop.example:8443 or *");
    }

    private boolean enabled() {
      return any || !origins.isEmpty();
    }

    private boolean allows(String origin) {
      return origin != null && (any || origins.contains(origin.toLowerCase(Locale.ROOT)));
    }

    boolean isPreflight(Context ctx) {
      return enabled()
          && ctx.req().getMethod().equals("OPTIONS")
          && ctx.header("Origin") != null
          && ctx.header("Access-Control-Request-Method") != null;
    }

    /** Adds the CORS headers to an answer for an allowed origin. */
    void apply(Context ctx) {
      if (!enabled()) {
        return;
      }
      if (!any) {
        // The answer depends on the Origin whether or not it is allowed: caches must know.
        ctx.header("Vary", "Origin");
      }
      String origin = ctx.header("Origin");
      if (!allows(origin)) {
        return;
      }
      ctx.header("Access-Control-Allow-Origin", any ? "*" : origin);
      ctx.header("Access-Control-Expose-Headers", EXPOSED);
    }

    void answerPreflight(Context ctx) {
      if (!allows(ctx.header("Origin"))) {
        throw new ApiError(403, "the origin is not allowed to call this server");
      }
      ctx.header("Access-Control-Allow-Methods", METHODS);
      String requested = ctx.header("Access-Control-Request-Headers");
      if (requested != null) {
        List<String> allowed = new ArrayList<>();
        for (String h : requested.split(",", 32)) {
          String name = h.strip().toLowerCase(Locale.ROOT);
          if (HEADERS.contains(name) || (name.startsWith("ce-") && name.length() <= 64)) {
            allowed.add(name);
          }
        }
        if (!allowed.isEmpty()) {
          ctx.header("Access-Control-Allow-Headers", String.join(", ", allowed));
        }
      }
      ctx.header("Access-Control-Max-Age", "600");
      ctx.status(204);
      ctx.skipRemainingHandlers();
    }
  }
}
