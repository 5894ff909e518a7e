package dev.herald.server.internal;

/**
 * An answer other than success, thrown by an endpoint and written by {@link Errors} as an RFC 9457
 * problem ({@code application/problem+json}): {@code {"type", "title", "status", "detail"}}, plus
 * {@code "attribute"} when one attribute of the request is at fault.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String attribute;

  ApiError(int status, String detail) {
    this(status, detail, null);
  }

  ApiError(int status, String detail, String attribute) {
    super(detail, null, false, false);
    this.status = status;
    this.attribute = attribute;
  }

  static ApiError badRequest(String attribute, String detail) {
    return new ApiError(400, detail, attribute);
  }
}
