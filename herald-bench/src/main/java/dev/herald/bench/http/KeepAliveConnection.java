package dev.herald.bench.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection that sends pre-built requests and reads only what it must of
 * each answer: the status line, the headers that give the body's length ({@code Content-Length}, or
 * chunked), and that many body bytes, skipped. No parsing of the body, no allocation per request
 * beyond the socket's own: the benchmark's client must not take the cores the server under test
 * needs. Owned by one thread.
 */
final class KeepAliveConnection implements AutoCloseable {
  private static final int MAX_LINE = 8192;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] line = new byte[MAX_LINE];
  private final byte[] skip = new byte[8192];

  KeepAliveConnection(URI server) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 16_384);
  }

  /**
   * A POST of {@code body} to {@code uri} as bytes to send on a keep-alive connection: request
   * line, {@code Host}, the given header lines ({@code "Name: value"}), {@code Content-Length}.
   */
  static byte[] post(URI uri, byte[] body, String... headers) {
    StringBuilder head =
        new StringBuilder("POST ")
            .append(uri.getRawPath())
            .append(" HTTP/1.1\r\nHost: ")
            .append(uri.getHost())
            .append(':')
            .append(uri.getPort())
            .append("\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[h.length + body.length];
    System.arraycopy(h, 0, request, 0, h.length);
    System.arraycopy(body, 0, request, h.length, body.length);
    return request;
  }

  /** Sends {@code request} (from {@link #post}) without waiting for its answer. */
  void send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
  }

  /**
   * Reads the next answer on this connection and returns its status.
   *
   * @throws IOException if the server closed the connection or the answer is not HTTP/1.1
   */
  int receive() throws IOException {
    int n = readLine();
    // "HTTP/1.1 202 Accepted"
    if (n < 12 || line[0] != 'H' || line[8] != ' ') {
      throw new IOException("not an HTTP/1.1 status line: " + text(n));
    }
    int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    long length = 0;
    boolean chunked = false;
    while ((n = readLine()) > 0) {
      if (startsWith(n, "content-length:")) {
        length = Long.parseLong(text(n).substring(15).trim());
      } else if (startsWith(n, "transfer-encoding:") && text(n).contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      long chunk;
      while ((chunk = Long.parseLong(chunkSize(readLine()), 16)) > 0) {
        skip(chunk);
        readLine(); // the CRLF after the chunk
      }
      while (readLine() > 0) {
        // trailers
      }
    } else {
      skip(length);
    }
    return status;
  }

  private String chunkSize(int n) {
    String s = text(n);
    int semi = s.indexOf(';');
    return (semi < 0 ? s : s.substring(0, semi)).trim();
  }

  private void skip(long bytes) throws IOException {
    while (bytes > 0) {
      int r = in.read(skip, 0, (int) Math.min(skip.length, bytes));
      if (r < 0) {
        throw new IOException("connection closed inside a body");
      }
      bytes -= r;
    }
  }

  /** Reads one line into {@link #line}, without its CRLF; returns its length. */
  private int readLine() throws IOException {
    int n = 0;
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      if (n == MAX_LINE) {
        throw new IOException("header line longer than " + MAX_LINE + " bytes");
      }
      line[n++] = (byte) b;
    }
    return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
  }

  private boolean startsWith(int n, String lowerCasePrefix) {
    if (n < lowerCasePrefix.length()) {
      return false;
    }
    for (int i = 0; i < lowerCasePrefix.length(); i++) {
      if (Character.toLowerCase(line[i]) != lowerCasePrefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String text(int n) {
    return new String(line, 0, n, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
