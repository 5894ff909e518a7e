package dev.herald.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits a server puts on every input. Immutable.
 *
 * @param maxBodyBytes the largest request body (a single event or a whole batch); larger is 413
 * @param maxHeaderBytes the largest request head (request line and headers); larger is 431
 * @param idleTimeout how long a connection may stay silent before the server closes it (SSE streams
 *     are kept busy by their heartbeat)
 * @param heartbeat how often an idle SSE stream gets a comment line, so proxies keep it open
 * @param sseRetry the {@code retry:} an SSE stream tells its client on connect
 * @param sseConnectionsPerPrincipal how many SSE streams one principal may hold open at once; one
 *     more is answered 429
 */
public record ServerLimits(
    int maxBodyBytes,
    int maxHeaderBytes,
    Duration idleTimeout,
    Duration heartbeat,
    Duration sseRetry,
    int sseConnectionsPerPrincipal) {

  /** 1 MiB bodies, 16 KiB heads, 5 min idle, 15 s heartbeat, 3 s retry, 1,024 streams. */
  public static ServerLimits defaults() {
    return new ServerLimits(
        1 << 20,
        16 << 10,
        Duration.ofMinutes(5),
        Duration.ofSeconds(15),
        Duration.ofSeconds(3),
        1024);
  }

  public ServerLimits {
    requirePositive("maxBodyBytes", maxBodyBytes);
    requirePositive("maxHeaderBytes", maxHeaderBytes);
    requirePositive("idleTimeout", idleTimeout);
    requirePositive("heartbeat", heartbeat);
    requirePositive("sseRetry", sseRetry);
    requirePositive("sseConnectionsPerPrincipal", sseConnectionsPerPrincipal);
  }

  public ServerLimits withMaxBodyBytes(int n) {
    return new ServerLimits(
        n, maxHeaderBytes, idleTimeout, heartbeat, sseRetry, sseConnectionsPerPrincipal);
  }

  public ServerLimits withHeartbeat(Duration d) {
    return new ServerLimits(
        maxBodyBytes, maxHeaderBytes, idleTimeout, d, sseRetry, sseConnectionsPerPrincipal);
  }

  public ServerLimits withSseConnectionsPerPrincipal(int n) {
    return new ServerLimits(maxBodyBytes, maxHeaderBytes, idleTimeout, heartbeat, sseRetry, n);
  }

  private static void requirePositive(String name, int n) {
    if (n <= 0) {
      throw new IllegalArgumentException(name + ": must be positive, was " + n);
    }
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be positive, was " + d);
    }
  }
}
