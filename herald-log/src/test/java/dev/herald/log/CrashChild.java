package dev.herald.log;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Child JVM for {@link CrashTest}. {@code append DIR}: appends with {@code ALWAYS} from four
 * threads forever, printing {@code ACK offset crc} for each acknowledged record. {@code power DIR
 * SHADOW}: the same through a {@link PowerLossFileLayer} keeping the durable state in SHADOW, also
 * committing group {@code g}'s offset now and then and printing {@code COMMIT offset} once it is
 * durable. {@code lock DIR}: tries to open DIR and prints {@code LOCKED} (exit 3) or {@code OPENED}
 * (exit 0).
 */
public final class CrashChild {
  private CrashChild() {}

  static LogOptions options() {
    return LogOptions.builder()
        .flushPolicy(FlushPolicy.always())
        .segmentBytes(64 * 1024)
        .indexIntervalBytes(1024)
        .maxRecordBytes(4096)
        .build();
  }

  /**
   * A payload whose first 4 bytes are the CRC32C of the rest, so it can be checked without the
   * sender.
   */
  static byte[] payload() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] body = new byte[4 + random.nextInt(8, 2000)];
    random.nextBytes(body);
    ByteBuffer.wrap(body).putInt(0, crcOfBody(body));
    return body;
  }

  static int crcOfBody(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload, 4, payload.length - 4);
    return (int) crc.getValue();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    PrintStream out = System.out;
    if (args[0].equals("lock")) {
      try (LogDirectory d = LogDirectory.open(dir, options())) {
        out.println("OPENED " + d.topics());
        out.flush();
        System.exit(0);
      } catch (LogLockedException e) {
        out.println("LOCKED " + e.getMessage());
        out.flush();
        System.exit(3);
      }
    }
    boolean power = args[0].equals("power");
    LogOptions options =
        power
            ? LogOptions.builder()
                .flushPolicy(FlushPolicy.always())
                .segmentBytes(64 * 1024)
                .indexIntervalBytes(1024)
                .maxRecordBytes(4096)
                .fileLayer(new PowerLossFileLayer(dir, Path.of(args[2])))
                .build()
            : options();
    LogDirectory d = LogDirectory.open(dir, options);
    Log log = d.topic("crash");
    out.println("READY " + log.endOffset());
    out.flush();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                while (true) {
                  byte[] p = payload();
                  long offset = log.append(LogRecord.of(p)).join();
                  synchronized (out) {
                    out.println("ACK " + offset + " " + crcOfBody(p));
                    out.flush();
                  }
                  if (power && offset % 16 == 0) {
                    d.offsets().commit("g", "crash", offset + 1); // durable on return
                    synchronized (out) {
                      out.println("COMMIT " + (offset + 1));
                      out.flush();
                    }
                  }
                }
              });
      thread.start();
    }
  }
}
