package dev.herald.server.internal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web dashboard at {@code /}: a fixed set of static files from the jar (the page, its script
 * and style at {@code /assets/}, all three read from {@code dashboard/} in the jar, and uPlot from
 * its WebJar under {@code /webjars/uplot/}). The files need no token (authentication opens {@code
 * /}, {@code /assets/*} and {@code /webjars/*} to GET); the page itself calls the admin endpoints
 * ({@code /v1/stats}, {@code /v1/groups}, {@code /v1/deadletters}) and the stream with the admin
 * token the user gives it, so every piece of data it shows is guarded by those endpoints' own
 * checks.
 *
 * <p>Only the files named here are served, each read once from the class path and kept (together
 * under 200 KiB); no other path under {@code /assets/} or {@code /webjars/} is served. Safe for use
 * from any thread.
 */
final class DashboardApi implements Gateway.Api {
  /** The page's own files, by the path they are served at. */
  private static final Map<String, String> PAGES =
      Map.of(
          "/", "/dashboard/index.html",
          "/assets/app.js", "/dashboard/app.js",
          "/assets/style.css", "/dashboard/style.css");

  private static final String WEBJARS = "META-INF/resources/webjars/";

  /** The uPlot files the page loads: {@code /webjars/uplot/<version>/dist/<file>}. */
  private static final Pattern UPLOT_FILE =
      Pattern.compile(
          "/webjars/uplot/[0-9][0-9A-Za-z.\\-]{0,31}/dist/uPlot\\.(iife\\.min\\.js|min\\.css)");

  /**
   * What the page may load and call: its own origin only. uPlot positions its elements through
   * their style properties, which a policy without 'unsafe-inline' styles would block.
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"
          + " data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action"
          + " 'none'";

  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  /**
   * Whether {@code path} is one of the dashboard's static files: the files that need no token
   * ({@link Authentication}), since the page must load before it can ask for one.
   */
  static boolean serves(String path) {
    return PAGES.containsKey(path) || UPLOT_FILE.matcher(path).matches();
  }

  DashboardApi(Gateway gateway) {}

  @Override
  public void routes(RoutesConfig routes) {
    for (String path : PAGES.keySet()) {
      routes.get(path, ctx -> serve(ctx, PAGES.get(path).substring(1), false));
    }
    routes.get("/webjars/uplot/{version}/dist/{file}", this::uplot);
  }

  private void uplot(Context ctx) {
    if (!UPLOT_FILE.matcher(ctx.path()).matches()) {
      throw new ApiError(404, "no such file");
    }
    serve(ctx, WEBJARS + ctx.path().substring("/webjars/".length()), true);
  }

  private void serve(Context ctx, String resource, boolean immutable) {
    byte[] body = files.get(resource);
    if (body == null) {
      body = read(resource);
    }
    if (body == null) {
      // Not kept: requests for missing files must not grow the cache.
      throw new ApiError(404, "no such file: " + ctx.path());
    }
    files.putIfAbsent(resource, body);
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    // A versioned WebJar file never changes; the page's own files change with the server.
    ctx.header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    ctx.contentType(contentType(resource)).result(body);
  }

  /** The resource's bytes, or null when the class path has no such file. */
  private static byte[] read(String resource) {
    // The page's files lie in this module; uPlot's in its WebJar, outside any package.
    try (InputStream in =
        resource.startsWith(WEBJARS)
            ? DashboardApi.class.getClassLoader().getResourceAsStream(resource)
            : DashboardApi.class.getResourceAsStream("/" + resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static String contentType(String resource) {
    if (resource.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (resource.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "text/css; charset=utf-8";
  }
}
