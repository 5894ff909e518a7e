package dev.herald.log.internal;

import static dev.herald.log.internal.CheckpointDescriptor.*;

import dev.herald.log.FileLayer;
import dev.herald.log.LogCorruptedException;
import dev.herald.log.OffsetStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link OffsetStore} kept in one {@code consumer-offsets} file (layout in {@link
 * CheckpointDescriptor}), replaced whole and durably on every advancing commit. Commits are
 * serialised by this object's monitor; the in-memory map changes only after the new file is
 * durable, so a failed commit changes nothing. A lower or equal commit is ignored.
 *
 * <p>Group commit: a commit first posts its offset, then takes the monitor; whoever holds it writes
 * every posted offset in one file replace. With many consumer groups committing at once (each
 * replace costs two fsyncs), the ones that waited usually find theirs already durable and return at
 * once.
 */
public final class FileOffsetStore implements OffsetStore {
  static final String FILE_NAME = "consumer-offsets";

  private record Key(String group, String topic) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparing(Key::group).thenComparing(Key::topic);

  /** Why a missing file is damage: every directory gets one when it is created. */
  public static final String MISSING =
      "missing: every consumer group's committed offset is lost and the groups"
          + " would silently start again from their reset position; 'herald log repair' writes an empty one"
          + " and reports it";

  private final FileLayer files;
  private final Path file;
  private final TreeMap<Key, Long> offsets; // durable; guarded by this
  // Offsets posted by committers that wait for (or hold) the monitor; the holder writes them all.
  private final ConcurrentHashMap<Key, Long> posted = new ConcurrentHashMap<>();

  private FileOffsetStore(FileLayer files, Path file, TreeMap<Key, Long> offsets) {
    this.files = files;
    this.file = file;
    this.offsets = offsets;
  }

  /**
   * Loads the store of {@code dir}.
   *
   * @throws LogCorruptedException when the file fails its CRC or structure checks, or is missing
   */
  public static FileOffsetStore open(FileLayer files, Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    files.deleteIfExists(dir.resolve(FILE_NAME + ".tmp"));
    TreeMap<Key, Long> offsets = new TreeMap<>(ORDER);
    if (!files.exists(file)) {
      throw new LogCorruptedException(file, 0, MISSING);
    }
    decode(file, ByteBuffer.wrap(FileIo.readAll(files, file)), offsets);
    return new FileOffsetStore(files, file, offsets);
  }

  /** Whether {@code dir} has its offsets file. */
  public static boolean exists(FileLayer files, Path dir) {
    return files.exists(dir.resolve(FILE_NAME));
  }

  /**
   * Writes an empty store: a new directory has one, so that a missing file always means a lost one.
   */
  public static void createEmpty(FileLayer files, Path dir) throws IOException {
    FileIo.replaceAtomically(files, dir.resolve(FILE_NAME), encode(new TreeMap<>(ORDER)));
  }

  /**
   * For a repair: moves a damaged offsets file aside to {@code consumer-offsets.damaged} (or a
   * numbered variant) and writes an empty store in its place. Returns what was lost, naming the
   * entries the damaged file seems to hold, read without trusting its checksum, for whoever
   * restores positions by hand.
   */
  public static String rebuild(FileLayer files, Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    String lost;
    if (files.exists(file)) {
      byte[] bytes = FileIo.readAll(files, file);
      Path aside = dir.resolve(FILE_NAME + ".damaged");
      for (int i = 1; files.exists(aside); i++) {
        aside = dir.resolve(FILE_NAME + ".damaged." + i);
      }
      files.move(file, aside);
      lost =
          "every group's committed offset; the damaged file, moved to "
              + aside.getFileName()
              + ", seems"
              + " to hold "
              + describeUnverified(bytes);
    } else {
      lost = "every group's committed offset: the file was missing";
    }
    createEmpty(files, dir);
    return lost + "; groups start again from their reset position";
  }

  /** The entries of a damaged file as far as they parse, checksum ignored. */
  private static String describeUnverified(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    StringBuilder out = new StringBuilder();
    try {
      b.position(OFFSETS_BODY_OFFSET);
      int count = b.getInt();
      out.append(count).append(" entries (unverified):");
      for (int i = 0; i < count; i++) {
        String group = getString(b);
        String topic = getString(b);
        out.append(' ').append(group).append('/').append(topic).append('=').append(b.getLong());
      }
    } catch (RuntimeException e) {
      out.append(" (the rest does not parse)");
    }
    return out.toString();
  }

  /**
   * The committed offsets of {@code dir}, group to topic to offset, read without touching any file.
   *
   * @throws LogCorruptedException when the file fails its CRC or structure checks
   */
  public static Map<String, Map<String, Long>> read(FileLayer files, Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    TreeMap<Key, Long> offsets = new TreeMap<>(ORDER);
    if (files.exists(file)) {
      decode(file, ByteBuffer.wrap(FileIo.readAll(files, file)), offsets);
    }
    Map<String, Map<String, Long>> byGroup = new TreeMap<>();
    offsets.forEach(
        (k, v) -> byGroup.computeIfAbsent(k.group(), g -> new TreeMap<>()).put(k.topic(), v));
    return byGroup;
  }

  @Override
  public boolean commit(String group, String topic, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
    Key key = new Key(group, topic);
    synchronized (this) {
      Long current = offsets.get(key);
      if (current != null && current >= offset) {
        return false; // stale: at or below what was durable before this call
      }
    }
    posted.merge(key, offset, Math::max);
    synchronized (this) {
      Long current = offsets.get(key);
      if (current != null && current >= offset) {
        return true; // another committer's replace carried this offset
      }
      TreeMap<Key, Long> next = new TreeMap<>(offsets);
      posted.forEach((k, v) -> next.merge(k, v, Math::max));
      try {
        FileIo.replaceAtomically(files, file, encode(next));
      } catch (IOException e) {
        // What others posted stays posted: their own commit, or the next, retries it.
        posted.remove(key, offset);
        throw new UncheckedIOException(
            "committing offset "
                + offset
                + " for group "
                + group
                + ", topic "
                + topic
                + " failed; the stored offset is unchanged",
            e);
      }
      offsets.putAll(next);
      next.forEach((k, v) -> posted.remove(k, v)); // unless a higher one was posted meanwhile
      return true;
    }
  }

  /**
   * Sets {@code group}'s offset for {@code topic} to {@code offset}, lower than the stored one: for
   * a repair that found it past the end of the topic. Durable on return.
   */
  public synchronized void moveBack(String group, String topic, long offset) throws IOException {
    TreeMap<Key, Long> next = new TreeMap<>(offsets);
    next.put(new Key(group, topic), offset);
    FileIo.replaceAtomically(files, file, encode(next));
    offsets.putAll(next);
  }

  @Override
  public synchronized OptionalLong committed(String group, String topic) {
    Long v = offsets.get(new Key(group, topic));
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  @Override
  public synchronized Map<String, Long> committedGroups(String topic) {
    Map<String, Long> groups = new TreeMap<>();
    offsets.forEach(
        (k, v) -> {
          if (k.topic().equals(topic)) {
            groups.put(k.group(), v);
          }
        });
    return groups;
  }

  private static ByteBuffer encode(Map<Key, Long> offsets) {
    int bodyLength = 4;
    for (Key k : offsets.keySet()) {
      bodyLength += 2 + utf8(k.group()).length + 2 + utf8(k.topic()).length + 8;
    }
    ByteBuffer b = ByteBuffer.allocate(OFFSETS_BODY_OFFSET + bodyLength);
    b.putInt(OFFSETS_MAGIC_OFFSET, OFFSETS_MAGIC);
    b.putInt(OFFSETS_VERSION_OFFSET, OFFSETS_VERSION);
    b.putInt(OFFSETS_BODY_LENGTH_OFFSET, bodyLength);
    b.position(OFFSETS_BODY_OFFSET);
    b.putInt(offsets.size());
    for (Map.Entry<Key, Long> e : offsets.entrySet()) {
      putString(b, e.getKey().group());
      putString(b, e.getKey().topic());
      b.putLong(e.getValue());
    }
    b.putInt(OFFSETS_CRC_OFFSET, RecordCodec.crc(b, OFFSETS_BODY_OFFSET, b.capacity()));
    return b.flip().position(0).limit(b.capacity());
  }

  private static void decode(Path file, ByteBuffer b, TreeMap<Key, Long> into) {
    if (b.capacity() < OFFSETS_BODY_OFFSET + 4) {
      throw new LogCorruptedException(file, 0, "file too short: " + b.capacity() + " bytes");
    }
    if (b.getInt(OFFSETS_MAGIC_OFFSET) != OFFSETS_MAGIC
        || b.getInt(OFFSETS_VERSION_OFFSET) != OFFSETS_VERSION) {
      throw new LogCorruptedException(file, OFFSETS_MAGIC_OFFSET, "bad magic or version");
    }
    int bodyLength = b.getInt(OFFSETS_BODY_LENGTH_OFFSET);
    if (bodyLength != b.capacity() - OFFSETS_BODY_OFFSET) {
      throw new LogCorruptedException(
          file,
          OFFSETS_BODY_LENGTH_OFFSET,
          "body length " + bodyLength + " disagrees with file size " + b.capacity());
    }
    if (b.getInt(OFFSETS_CRC_OFFSET) != RecordCodec.crc(b, OFFSETS_BODY_OFFSET, b.capacity())) {
      throw new LogCorruptedException(file, OFFSETS_CRC_OFFSET, "crc32c mismatch");
    }
    try {
      b.position(OFFSETS_BODY_OFFSET);
      int count = b.getInt();
      for (int i = 0; i < count; i++) {
        String group = getString(b);
        String topic = getString(b);
        into.put(new Key(group, topic), b.getLong());
      }
      if (b.hasRemaining()) {
        throw new LogCorruptedException(
            file, b.position(), "trailing bytes after " + count + " entries");
      }
    } catch (RuntimeException e) {
      if (e instanceof LogCorruptedException) {
        throw e;
      }
      throw new LogCorruptedException(file, b.position(), "malformed entries: " + e);
    }
  }

  private static void putString(ByteBuffer b, String s) {
    byte[] bytes = utf8(s);
    b.putShort((short) bytes.length).put(bytes);
  }

  private static String getString(ByteBuffer b) {
    int length = Short.toUnsignedInt(b.getShort());
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("name longer than " + Short.MAX_VALUE + " bytes");
    }
    return bytes;
  }
}
