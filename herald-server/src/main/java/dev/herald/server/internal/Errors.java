package dev.herald.server.internal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every refusal the same way: an RFC 9457 problem. An endpoint's {@link ApiError} keeps its
 * status; anything else it throws is a 500 whose cause is logged, not shown.
 */
final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server");

  private Errors() {}

  static void routes(RoutesConfig routes) {
    routes.exception(ApiError.class, (e, ctx) -> write(ctx, e.status, e.getMessage(), e.attribute));
    // Javalin's own refusals (no such endpoint, a body over its limit) are problems too.
    routes.exception(
        HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus(), e.getMessage(), null));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          write(ctx, 500, "internal error", null);
        });
  }

  static void write(Context ctx, int status, String detail, String attribute) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", title(status));
    problem.put("status", status);
    problem.put("detail", detail);
    if (attribute != null) {
      problem.put("attribute", attribute);
    }
    ctx.status(status).contentType("application/problem+json").result(Json.write(problem));
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }
}
