package dev.herald.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal HTTP forward proxy for tests, on a free loopback port: {@code CONNECT host:port} is
 * answered 200 and the bytes piped both ways; an absolute-form request ({@code POST
 * http://host:port/path HTTP/1.1}) is sent on to its target in origin form, and the answer relayed,
 * each over a connection of its own ({@code Connection: close}). Records every request line it was
 * given ({@link #asked}). Once {@link #requireCredentials} was called, a request (a {@code CONNECT}
 * too) without that user's HTTP Basic {@code Proxy-Authorization} is answered 407 and goes no
 * further. A thread per connection and direction; {@link #close} ends them.
 */
final class ForwardProxy implements AutoCloseable {
  /** The request lines received, without the version: {@code CONNECT localhost:1234}, ... */
  final List<String> asked = new CopyOnWriteArrayList<>();

  /** Each request's {@code Proxy-Authorization} value, {@code ""} where it had none. */
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  private volatile String required; // the Proxy-Authorization asked for; null: none

  private final ServerSocket server;
  private final List<Closeable> open = new CopyOnWriteArrayList<>();

  /** Names only this proxy's DNS knows, and their addresses. */
  private final Map<String, InetAddress> names = new ConcurrentHashMap<>();

  /** On 127.0.0.1. */
  ForwardProxy() throws IOException {
    this(InetAddress.getLoopbackAddress());
  }

  /** On {@code address}, a loopback one. */
  ForwardProxy(InetAddress address) throws IOException {
    server = new ServerSocket(0, 50, address);
    thread("accept", this::accept);
  }

  /** Makes this proxy resolve {@code name} to {@code address}, as a DNS only it asks would. */
  void knows(String name, InetAddress address) {
    names.put(name, address);
  }

  /** From now on, asks every request for {@code user}'s credentials (HTTP Basic). */
  void requireCredentials(String user, String password) {
    required =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code IP:PORT}, where it listens. */
  String address() {
    return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Closeable c : open) {
      c.close();
    }
  }

  private void accept() throws IOException {
    while (!server.isClosed()) {
      Socket client = server.accept();
      open.add(client);
      thread("connection", () -> serve(client));
    }
  }

  private void serve(Socket client) throws IOException {
    InputStream in = new BufferedInputStream(client.getInputStream());
    OutputStream out = client.getOutputStream();
    String line = readLine(in);
    List<String> headers = readHeaders(in);
    String[] parts = line.split(" ");
    asked.add(parts[0] + " " + parts[1]);
    String authorization = "";
    for (String h : headers) {
      if (h.toLowerCase(Locale.ROOT).startsWith("proxy-authorization:")) {
        authorization = h.substring(h.indexOf(':') + 1).trim();
      }
    }
    authorizations.add(authorization);
    String asks = required;
    if (asks != null && !asks.equals(authorization)) {
      out.write(
          ("HTTP/1.1 407 Proxy Authentication Required\r\n"
                  + "Proxy-Authenticate: Basic realm=\"test\"\r\n"
                  + "Content-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      client.close();
      return;
    }
    if (parts[0].equals("CONNECT")) {
      int colon = parts[1].lastIndexOf(':');
      Socket target =
          connect(parts[1].substring(0, colon), Integer.parseInt(parts[1].substring(colon + 1)));
      out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      thread("pipe-up", () -> pipe(in, target));
      pipe(target.getInputStream(), client);
      return;
    }
    URI url = URI.create(parts[1]);
    try (Socket target = connect(url.getHost(), url.getPort())) {
      OutputStream up = target.getOutputStream();
      StringBuilder head = new StringBuilder(parts[0] + " " + url.getRawPath());
      head.append(url.getRawQuery() == null ? "" : "?" + url.getRawQuery()).append(" HTTP/1.1\r\n");
      long length = 0;
      for (String h : headers) {
        String name = h.substring(0, h.indexOf(':')).trim().toLowerCase(Locale.ROOT);
        if (name.equals("content-length")) {
          length = Long.parseLong(h.substring(h.indexOf(':') + 1).trim());
        }
        if (!name.equals("connection") && !name.startsWith("proxy-")) {
          head.append(h).append("\r\n");
        }
      }
      head.append("Connection: close\r\n\r\n");
      up.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      up.write(in.readNBytes((int) length));
      up.flush();
      // The answer's head with Connection: close (this proxy keeps no connection), then the rest.
      InputStream down = new BufferedInputStream(target.getInputStream());
      StringBuilder answer = new StringBuilder(readLine(down)).append("\r\n");
      for (String h : readHeaders(down)) {
        if (!h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
          answer.append(h).append("\r\n");
        }
      }
      answer.append("Connection: close\r\n\r\n");
      out.write(answer.toString().getBytes(StandardCharsets.ISO_8859_1));
      down.transferTo(out);
      out.flush();
    } finally {
      client.close();
    }
  }

  /** To the first of the host's addresses that accepts, as a proxy would. */
  private Socket connect(String host, int port) throws IOException {
    IOException failure = new IOException("no address for " + host);
    InetAddress known = names.get(host);
    for (InetAddress a :
        known != null ? new InetAddress[] {known} : InetAddress.getAllByName(host)) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(a, port), 5_000);
        open.add(s);
        return s;
      } catch (IOException e) {
        s.close();
        failure = e;
      }
    }
    throw failure;
  }

  /** Copies until the end of {@code from}, then ends {@code to}'s output. */
  private static void pipe(InputStream from, Socket to) throws IOException {
    try {
      from.transferTo(to.getOutputStream());
    } finally {
      if (!to.isClosed()) {
        to.shutdownOutput();
      }
    }
  }

  private static List<String> readHeaders(InputStream in) throws IOException {
    List<String> headers = new ArrayList<>();
    for (String h = readLine(in); !h.isEmpty(); h = readLine(in)) {
      headers.add(h);
    }
    return headers;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection ended within a head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private interface Work {
    void run() throws IOException;
  }

  private static void thread(String name, Work work) {
    Thread t =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (IOException e) {
                // the connection ended, or the proxy was closed: nothing more to relay
              }
            },
            "forward-proxy-" + name);
    t.setDaemon(true);
    t.start();
  }
}
