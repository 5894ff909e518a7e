package dev.herald.bench.sse;

import dev.herald.Event;
import dev.herald.server.GatewayStore;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * SSE fan-out: one gateway over a fresh log, {@code --clients} concurrent streams of {@code
 * bench.*}, events stored at {@code --rate} per second straight to the store ({@link
 * GatewayStore#append}), each carrying its publish time ({@link System#nanoTime}, this JVM's);
 * every client's receipt of every event is recorded in an HdrHistogram: delivery latency from the
 * publish call to the client's read of the event's {@code data:} line. Also the heap the open
 * streams take, per connection (after GC, server and this bench's client sockets together).
 *
 * <p>The clients are raw sockets on one NIO selector thread (HTTP/1.0, so the body is the event
 * stream itself, unchunked): the cheapest reader there is, so that the two cores measure the server
 * more than the clients.
 *
 * <pre>
 *   java -cp herald-bench/target/herald-benchmarks.jar dev.herald.bench.sse.SseFanOut \
 *       [--clients 1000] [--rate 1000] [--warmup-s 5] [--measure-s 15]
 * </pre>
 */
public final class SseFanOut {
  private static final byte[] MARK = "\"t\":".getBytes(StandardCharsets.US_ASCII);

  private SseFanOut() {}

  public static void main(String[] args) throws Exception {
    int clients = intArg(args, "--clients", 1000);
    int rate = intArg(args, "--rate", 1000);
    int warmupS = intArg(args, "--warmup-s", 5);
    int measureS = intArg(args, "--measure-s", 15);
    Path dir = Files.createTempDirectory("herald-sse-bench");
    try (GatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = usedHeapAfterGc(memory);
      Readers readers = new Readers();
      readers.connect(server.port(), clients);
      long heapAfter = usedHeapAfterGc(memory);
      Thread reader = new Thread(readers::run, "sse-bench-readers");
      reader.start();

      AtomicBoolean measuring = new AtomicBoolean();
      readers.measuring = measuring;
      long warmupEvents = (long) rate * warmupS;
      long measureEvents = (long) rate * measureS;
      publish(store, rate, warmupEvents);
      measuring.set(true);
      Map<String, Long> cpu0 = cpuByThreadGroup();
      long t0 = System.nanoTime();
      publish(store, rate, measureEvents);
      long published = System.nanoTime() - t0;
      Map<String, Long> cpu1 = cpuByThreadGroup();
      // Let the last events arrive, then stop counting.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (readers.received() < measureEvents * clients && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      measuring.set(false);
      readers.stop();
      reader.join();

      Histogram h = readers.histogram;
      System.out.printf(
          "SSE fan-out: %d clients, %d events/s stored (measured %.1f s after %d s warm-up)%n",
          clients, rate, published / 1e9, warmupS);
      System.out.printf(
          "  deliveries %,d of %,d expected; streams still open %d of %d%n",
          h.getTotalCount(), measureEvents * clients, readers.open(), clients);
      System.out.printf(
          "  delivery latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
          h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(90) / 1e6,
          h.getValueAtPercentile(99) / 1e6,
          h.getValueAtPercentile(99.9) / 1e6,
          h.getMaxValue() / 1e6);
      long deliveries = Math.max(1, h.getTotalCount());
      StringBuilder cpu = new StringBuilder();
      long total = 0;
      for (Map.Entry<String, Long> e : cpu1.entrySet()) {
        long used = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
        total += used;
        cpu.append(String.format("  %s %.2f", e.getKey(), used / 1e3 / deliveries));
      }
      System.out.printf(
          "  CPU per delivery, µs: all threads %.2f;%s (%.2f cores over the window)%n",
          total / 1e3 / deliveries, cpu, total / (double) published);
      System.out.printf(
          "  heap per connection: %.1f KiB (used heap after GC %d MiB -> %d MiB)%n",
          (heapAfter - heapBefore) / 1024.0 / clients, heapBefore >> 20, heapAfter >> 20);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void publish(GatewayStore store, int rate, long events) {
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long next = System.nanoTime();
    for (long i = 0; i < events; i++) {
      long now;
      while ((now = System.nanoTime()) < next) {
        LockSupport.parkNanos(next - now);
      }
      store.append(Event.of("bench.tick", Map.of("t", System.nanoTime())));
      next += interval;
    }
  }

  /**
   * CPU time used so far by this JVM's live threads, summed by role: the gateway's SSE writers, its
   * tail reader, Jetty's threads, this bench's client reader, its publisher, and the rest (GC and
   * compiler threads are not Java threads and are not counted). Threads that ended are missed.
   */
  private static Map<String, Long> cpuByThreadGroup() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new TreeMap<>();
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long ns = threads.getThreadCpuTime(t.getThreadId());
      if (ns < 0) {
        continue;
      }
      String name = t.getThreadName();
      String role =
          name.startsWith("herald-sse-writer")
              ? "writers"
              : name.startsWith("herald-sse-tail")
                  ? "tail"
                  : name.startsWith("JettyServerThreadPool") || name.startsWith("qtp")
                      ? "jetty"
                      : name.equals("sse-bench-readers")
                          ? "clients"
                          : name.equals("main") ? "publisher" : "other";
      out.merge(role, ns, Long::sum);
    }
    return out;
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static int intArg(String[] args, String name, int def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return def;
  }

  /** Every client's socket on one selector; owned by the thread that runs {@link #run}. */
  private static final class Readers {
    final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    volatile AtomicBoolean measuring;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 << 10);
    private final byte[] bytes = new byte[(64 << 10) + Carry.MAX];
    private final List<SocketChannel> channels = new ArrayList<>();
    private volatile boolean stopped;
    private volatile long received;
    private int closed;

    Readers() throws IOException {
      this.selector = Selector.open();
    }

    void connect(int port, int n) throws IOException {
      byte[] request =
          ("GET /v1/events/stream?types=bench.* HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                  + "Accept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < n; i++) {
        SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        c.write(ByteBuffer.wrap(request));
        // The stream's head and its retry line: the stream is open, positioned at the tail.
        ByteBuffer head = ByteBuffer.allocate(4096);
        while (!contains(head, "retry:")) {
          if (c.read(head) < 0) {
            throw new IOException("stream " + i + " closed while opening");
          }
        }
        c.configureBlocking(false);
        c.register(selector, SelectionKey.OP_READ, new Carry());
        channels.add(c);
      }
    }

    private static boolean contains(ByteBuffer b, String s) {
      return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).contains(s);
    }

    long received() {
      return received;
    }

    int open() {
      return channels.size() - closed;
    }

    void stop() {
      stopped = true;
      selector.wakeup();
    }

    void run() {
      try {
        while (!stopped) {
          selector.select(100);
          for (SelectionKey k : selector.selectedKeys()) {
            read(k);
          }
          selector.selectedKeys().clear();
        }
        for (SocketChannel c : channels) {
          c.close();
        }
        selector.close();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void read(SelectionKey k) throws IOException {
      SocketChannel c = (SocketChannel) k.channel();
      Carry carry = (Carry) k.attachment();
      buffer.clear();
      int n = c.read(buffer);
      long now = System.nanoTime();
      if (n < 0) {
        k.cancel();
        c.close();
        closed++;
        return;
      }
      buffer.flip();
      System.arraycopy(carry.bytes, 0, bytes, 0, carry.length);
      buffer.get(bytes, carry.length, n);
      carry.scan(bytes, carry.length + n, now, this);
    }

    void record(long publishedNanos, long now) {
      if (measuring.get()) {
        histogram.recordValue(Math.max(0, now - publishedNanos));
        received++; // only this thread writes it
      }
    }
  }

  /**
   * A client's scan for {@code "t":<digits>}, the publish time in each event's data, and the bytes
   * of a read that may begin one (a partial mark or number) carried to the next read. It looks for
   * colons eight bytes at a time (a word compared with a word of colons, each zero byte found
   * exactly) and checks the three bytes before each: no copy and no garbage per read. A
   * byte-at-a-time scan took more CPU than the server's writes at 1,000 clients, and a Latin-1
   * {@code String} of each read (to use its vectorized {@code indexOf}) was four fifths of the
   * process's allocation, so the collector's work, shared with the server on two cores.
   */
  private static final class Carry {
    static final int MAX = 32; // the mark and a long's digits fit
    private static final VarHandle LONGS =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long COLONS = 0x3a3a3a3a3a3a3a3aL;
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    final byte[] bytes = new byte[MAX];
    int length;

    void scan(byte[] b, int n, long now, Readers readers) {
      int from = 0;
      while (true) {
        int colon = nextColon(b, from, n);
        if (colon < 0) {
          keep(b, Math.max(from, n - (MARK.length - 1)), n);
          return;
        }
        if (colon < 3 || b[colon - 3] != '"' || b[colon - 2] != 't' || b[colon - 1] != '"') {
          from = colon + 1;
          continue;
        }
        int i = colon + 1;
        long value = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
          value = value * 10 + (b[i] - '0');
          i++;
        }
        if (i == n) {
          keep(b, colon - 3, n); // the number may go on in the next read
          return;
        }
        readers.record(value, now);
        from = i;
      }
    }

    /** The index of the first {@code ':'} in {@code b[from, n)}, or -1. */
    private static int nextColon(byte[] b, int from, int n) {
      int i = from;
      for (; i + Long.BYTES <= n; i += Long.BYTES) {
        long x = (long) LONGS.get(b, i) ^ COLONS; // a colon's byte is now zero
        // 0x80 exactly in each zero byte: no carry crosses bytes, so no false hit.
        long zeros = ~(((x & LOW7) + LOW7) | x | LOW7);
        if (zeros != 0) {
          return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
        }
      }
      for (; i < n; i++) {
        if (b[i] == ':') {
          return i;
        }
      }
      return -1;
    }

    private void keep(byte[] b, int from, int n) {
      length = n - from;
      if (length > MAX) {
        throw new IllegalStateException("no number of " + length + " bytes is a publish time");
      }
      System.arraycopy(b, from, bytes, 0, length);
    }
  }
}
