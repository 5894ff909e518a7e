package dev.herald;

import java.time.Duration;

/** No reply to a request arrived within its timeout. */
public class RequestTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String type, String requestId, Duration timeout) {
    super("no reply to request '" + type + "' (id " + requestId + ") within " + timeout);
  }
}
