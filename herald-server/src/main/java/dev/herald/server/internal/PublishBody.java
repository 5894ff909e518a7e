package dev.herald.server.internal;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Reads a publish request's body with a bound: at most {@code maxBytes}, whatever {@code
 * Content-Length} says (a declared length over the bound is refused before reading; a chunked or
 * understated body is refused as soon as it passes the bound). Javalin's own {@code bodyAsBytes()}
 * would answer its own plain 413; this one throws an {@link ApiError} that {@link Errors} writes as
 * a problem. Stateless.
 */
final class PublishBody {
  private PublishBody() {}

  /**
   * The body of {@code ctx}.
   *
   * @throws ApiError 413 when it is larger than {@code maxBytes}; 400 when it cannot be read
   */
  static byte[] read(Context ctx, int maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(declared + " bytes", maxBytes);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared >= 0) {
        // The usual request: as many bytes as declared, read into one array of that size.
        byte[] body = in.readNBytes((int) declared);
        if (body.length < declared) {
          throw new ApiError(
              400, "the request body ended after " + body.length + " of " + declared + " bytes");
        }
        if (in.read() != -1) {
          throw tooLarge("more than its declared " + declared + " bytes", maxBytes);
        }
        return body;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      byte[] chunk = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(chunk)) != -1) {
        total += n;
        if (total > maxBytes) {
          throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException | UncheckedIOException e) {
      throw new ApiError(400, "the request body could not be read: " + e.getMessage());
    }
  }

  private static ApiError tooLarge(String size, int maxBytes) {
    return new ApiError(
        413, "the request body of " + size + " exceeds the limit of " + maxBytes + " bytes");
  }

  /**
   * The media type of a {@code Content-Type} header, lower case, without parameters; null for none.
   */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String t = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return t.isEmpty() ? null : t.toLowerCase(Locale.ROOT);
  }
}
