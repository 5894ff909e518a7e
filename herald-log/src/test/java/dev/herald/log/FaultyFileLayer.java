package dev.herald.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a {@link FileLayer} to inject faults into file handles: fail the Nth write, run out of
 * space after N bytes (writing the part that fits first, as a real disk does), fail the Nth fsync.
 * Counts fsyncs of {@code .log} files and can hold the first one at a gate, or the first fsync of
 * any other file (a consumer offsets commit). Arm faults after opening, so recovery is clean.
 */
final class FaultyFileLayer extends ForwardingFileLayer {
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger logForces = new AtomicInteger();
  final AtomicLong bytesWritten = new AtomicLong();
  volatile int failWriteNumber = -1;
  volatile long diskCapacity = Long.MAX_VALUE;
  volatile int failForceNumber = -1;
  volatile CountDownLatch forceGate;
  volatile CountDownLatch forceEntered;
  volatile CountDownLatch otherForceGate;

  /**
   * Name of the thread of the last {@code .log} fsync, and of the one that got an injected failure.
   */
  volatile String lastLogForceThread;

  volatile String failedForceThread;

  /** Set when a file handle was closed while an fsync of it was still running. */
  volatile boolean closedDuringForce;

  private final AtomicInteger forces = new AtomicInteger();

  FaultyFileLayer(FileLayer delegate) {
    super(delegate);
  }

  /** The Nth write from now (1 = the next) fails. */
  void failWrite(int n) {
    failWriteNumber = writes.get() + n;
  }

  /** Only {@code bytes} more bytes fit on the disk. */
  void diskFullAfter(long bytes) {
    diskCapacity = bytesWritten.get() + bytes;
  }

  /** The Nth fsync from now fails. */
  void failForce(int n) {
    failForceNumber = forces.get() + n;
  }

  @Override
  public FileHandle open(Path file, boolean create) throws IOException {
    FileHandle h = delegate().open(file, create);
    boolean isLog = file.getFileName().toString().endsWith(".log");
    AtomicInteger forcesRunning = new AtomicInteger();
    return new Handle(h) {
      @Override
      public void close() throws IOException {
        if (forcesRunning.get() > 0) {
          closedDuringForce = true;
        }
        super.close();
      }

      @Override
      public void force() throws IOException {
        forcesRunning.incrementAndGet();
        try {
          faultyForce();
        } finally {
          forcesRunning.decrementAndGet();
        }
      }

      @Override
      public int write(ByteBuffer src, long position) throws IOException {
        if (writes.incrementAndGet() == failWriteNumber) {
          throw new IOException("injected write failure");
        }
        long room = diskCapacity - bytesWritten.get();
        if (room < src.remaining()) {
          if (room > 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int) room);
            int n = h.write(part, position);
            bytesWritten.addAndGet(n);
            src.position(src.position() + n);
          }
          throw new IOException("No space left on device (injected)");
        }
        int n = h.write(src, position);
        bytesWritten.addAndGet(n);
        return n;
      }

      private void faultyForce() throws IOException {
        if (isLog) {
          lastLogForceThread = Thread.currentThread().getName();
          logForces.incrementAndGet();
          CountDownLatch gate = forceGate;
          if (gate != null) {
            forceGate = null;
            forceEntered.countDown();
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
          }
        } else {
          CountDownLatch gate = otherForceGate;
          if (gate != null) {
            otherForceGate = null;
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
          }
        }
        if (forces.incrementAndGet() == failForceNumber) {
          failedForceThread = Thread.currentThread().getName();
          throw new IOException("injected fsync failure");
        }
        h.force();
      }
    };
  }
}
