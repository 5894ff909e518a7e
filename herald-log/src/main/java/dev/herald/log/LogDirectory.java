package dev.herald.log;

import dev.herald.log.internal.FileOffsetStore;
import dev.herald.log.internal.SegmentedLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A directory holding topics (each a segmented {@link Log}) and the consumer {@link OffsetStore}.
 * The entry point of the durable log.
 *
 * <pre>
 *   dir/
 *     .lock                       exclusive lock: one open per directory, across processes and in this JVM
 *     consumer-offsets            committed offsets (CRC protected, replaced atomically); written empty
 *                                 when the directory is created, so a missing one is a lost one
 *     topics/&lt;name&gt;/
 *       00000000000000000000.log        records from offset 0
 *       00000000000000000000.index      sparse offset index
 *       00000000000000000000.timeindex  sparse time index
 *       recovery-point                  segments below the one holding this offset are known good
 *       dropped-offsets                 offset ranges a repair found missing or dropped (only after one)
 * </pre>
 *
 * <p>Opening runs recovery of every existing topic on the calling thread (see {@link
 * RecoveryReport}). Threads: safe for use from any thread. Each open topic runs one writer thread,
 * {@code herald-log-writer-<topic>}, and with {@link FlushPolicy#interval(long)} one flusher
 * thread, {@code herald-log-flush-<topic>}, for the periodic fsync.
 */
public final class LogDirectory implements Closeable {
  private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  private static final String TOPICS = "topics";

  private final Path dir;
  private final LogOptions options;
  private final Closeable lock;
  private final FileOffsetStore offsets;
  private final Map<String, SegmentedLog> topics = new TreeMap<>();
  private RecoveryReport report = RecoveryReport.clean();
  private boolean closed;

  private LogDirectory(Path dir, LogOptions options, Closeable lock, FileOffsetStore offsets) {
    this.dir = dir;
    this.options = options;
    this.lock = lock;
    this.offsets = offsets;
  }

  /**
   * Opens {@code dir}, creating it if needed, and recovers every topic in it.
   *
   * @throws LogLockedException when another process, or another open in this JVM, holds the
   *     directory
   * @throws LogCorruptedException when a sealed segment or the offsets file is damaged; see {@link
   *     #repair(Path, LogOptions)}
   */
  public static LogDirectory open(Path dir, LogOptions options) throws IOException {
    return open(dir, options, false);
  }

  /**
   * Opens {@code dir} moving every damaged tail of a sealed segment to a {@code .quarantine} file
   * beside it, recording offsets found missing, replacing a damaged or missing {@code
   * consumer-offsets} with an empty one, closes it again and reports what was moved, truncated,
   * dropped and rebuilt.
   */
  public static RecoveryReport repair(Path dir, LogOptions options) throws IOException {
    try (LogDirectory d = open(dir, options, true)) {
      return d.recoveryReport();
    }
  }

  private static LogDirectory open(Path dir, LogOptions options, boolean repair)
      throws IOException {
    FileLayer files = options.fileLayer();
    files.createDirectories(dir);
    Closeable lock = files.lock(dir);
    LogDirectory d = null;
    try {
      if (!files.exists(dir.resolve(TOPICS)) && !FileOffsetStore.exists(files, dir)) {
        FileOffsetStore.createEmpty(
            files, dir); // before topics/: from then on a missing one was lost
      }
      files.createDirectories(dir.resolve(TOPICS));
      List<RecoveryReport.RebuiltFile> rebuilt = new ArrayList<>();
      d = new LogDirectory(dir, options, lock, openOffsets(files, dir, repair, rebuilt));
      d.report = new RecoveryReport(List.of(), List.of(), List.of(), List.of(), rebuilt, false);
      for (Path p : files.list(dir.resolve(TOPICS))) {
        String name = p.getFileName().toString();
        if (files.isDirectory(p) && TOPIC_NAME.matcher(name).matches()) {
          d.openTopic(name, repair);
        }
      }
      if (repair) {
        d.clampOffsetsPastTheEnd();
      }
      return d;
    } catch (IOException | RuntimeException e) {
      if (d != null) {
        d.closeQuietly(e);
      } else {
        lock.close();
      }
      throw e;
    }
  }

  /**
   * The offset store; a repair replaces a damaged or missing file with an empty one and reports it.
   */
  private static FileOffsetStore openOffsets(
      FileLayer files, Path dir, boolean repair, List<RecoveryReport.RebuiltFile> rebuilt)
      throws IOException {
    try {
      return FileOffsetStore.open(files, dir);
    } catch (LogCorruptedException e) {
      if (!repair) {
        throw e;
      }
      rebuilt.add(new RecoveryReport.RebuiltFile(e.file(), FileOffsetStore.rebuild(files, dir)));
      return FileOffsetStore.open(files, dir);
    }
  }

  /**
   * A repair: moves every group offset past the end of its topic (records a repair dropped, or a
   * torn tail that consumers had read) back to the end, so the group continues with the next record
   * stored.
   */
  private void clampOffsetsPastTheEnd() throws IOException {
    List<RecoveryReport.ClampedOffset> clamped = new ArrayList<>();
    for (Map.Entry<String, Map<String, Long>> g :
        FileOffsetStore.read(options.fileLayer(), dir).entrySet()) {
      for (Map.Entry<String, Long> t : g.getValue().entrySet()) {
        SegmentedLog log = topics.get(t.getKey());
        if (log != null && t.getValue() > log.endOffset()) {
          offsets.moveBack(g.getKey(), t.getKey(), log.endOffset());
          clamped.add(
              new RecoveryReport.ClampedOffset(
                  g.getKey(), t.getKey(), t.getValue(), log.endOffset()));
        }
      }
    }
    report =
        report.merge(
            new RecoveryReport(
                List.of(), List.of(), List.of(), List.of(), List.of(), clamped, false));
  }

  /** The topic {@code name}, created empty if it does not exist. */
  public synchronized Log topic(String name) throws IOException {
    ensureOpen();
    SegmentedLog log = topics.get(Objects.requireNonNull(name, "name"));
    if (log != null) {
      return log;
    }
    if (!TOPIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("topic name must match " + TOPIC_NAME + ": " + name);
    }
    boolean created = !options.fileLayer().exists(dir.resolve(TOPICS).resolve(name));
    SegmentedLog opened = openTopic(name, false);
    if (created) {
      options.fileLayer().forceDirectory(dir.resolve(TOPICS)); // the new topic directory is durable
    }
    return opened;
  }

  private SegmentedLog openTopic(String name, boolean repair) throws IOException {
    SegmentedLog log = SegmentedLog.open(name, dir.resolve(TOPICS).resolve(name), options, repair);
    topics.put(name, log);
    report = report.merge(log.recoveryReport());
    return log;
  }

  /** Names of the topics open in this directory. */
  public synchronized Set<String> topics() {
    return Set.copyOf(topics.keySet());
  }

  /** The consumer group offset store of this directory. */
  public OffsetStore offsets() {
    return offsets;
  }

  /** What recovery found in every topic opened so far. */
  public synchronized RecoveryReport recoveryReport() {
    return report;
  }

  public Path path() {
    return dir;
  }

  /**
   * Closes every topic (each finishes its queued appends and writes its recovery point), then
   * unlocks.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    for (SegmentedLog log : topics.values()) {
      try {
        log.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    lock.close();
    if (failure != null) {
      throw failure;
    }
  }

  private void closeQuietly(Exception cause) {
    try {
      close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("log directory " + dir + " is closed");
    }
  }
}
