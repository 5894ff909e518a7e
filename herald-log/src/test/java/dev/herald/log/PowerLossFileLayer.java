package dev.herald.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The real file system, plus a shadow tree under {@code shadow} holding what a power loss would
 * leave of the files under {@code root}: a file's content as of its last fsync, and directory
 * entries (creations, renames, deletions) only once their directory was fsynced. The shadow on disk
 * is the durable state, so a process killed with SIGKILL leaves it behind (what was not durable
 * lived in its memory only), and {@link #powerLoss} then turns {@code root} into what a machine
 * would boot with: unlike SIGKILL alone, which keeps the page cache, unsynced writes are gone.
 * Directories are durable at once, as in {@link MemoryFileLayer}. Calls are serialised on this
 * object.
 */
final class PowerLossFileLayer extends ForwardingFileLayer {
  private final Path root;
  private final Path shadow;

  /**
   * Files whose name is not durable yet (created or renamed in since their directory's last fsync).
   */
  private final Set<Path> newNames = new HashSet<>();

  /**
   * The durable content of such files: forced, but reachable after a power loss only once linked.
   */
  private final Map<Path, byte[]> unlinked = new HashMap<>();

  PowerLossFileLayer(Path root, Path shadow) {
    super(FileLayer.system());
    this.root = root.toAbsolutePath();
    this.shadow = shadow.toAbsolutePath();
  }

  private Path shadowOf(Path p) {
    return shadow.resolve(root.relativize(p.toAbsolutePath()));
  }

  @Override
  public synchronized FileHandle open(Path file, boolean create) throws IOException {
    boolean existed = Files.exists(file);
    FileHandle h = delegate().open(file, create);
    if (!existed) {
      newNames.add(file.toAbsolutePath());
    }
    return new Handle(h) {
      @Override
      public void force() throws IOException {
        super.force();
        forced(file.toAbsolutePath());
      }
    };
  }

  private synchronized void forced(Path file) throws IOException {
    byte[] content = Files.readAllBytes(file);
    if (newNames.contains(file)) {
      unlinked.put(file, content);
    } else {
      writeDurable(shadowOf(file), content);
    }
  }

  /**
   * Replaces a shadow file atomically: a SIGKILL halfway through a plain write would leave less
   * than was durable, for acknowledged records too.
   */
  private void writeDurable(Path target, byte[] content) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = shadow.resolveSibling(shadow.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    delegate().createDirectories(dir);
    Files.createDirectories(shadowOf(dir));
  }

  @Override
  public synchronized void move(Path from, Path to) throws IOException {
    delegate().move(from, to);
    Path f = from.toAbsolutePath();
    byte[] content = unlinked.remove(f);
    if (content == null && !newNames.contains(f)) {
      content = Files.exists(shadowOf(f)) ? Files.readAllBytes(shadowOf(f)) : new byte[0];
    }
    newNames.remove(f);
    newNames.add(to.toAbsolutePath());
    unlinked.put(to.toAbsolutePath(), content == null ? new byte[0] : content);
  }

  @Override
  public synchronized void deleteIfExists(Path path) throws IOException {
    delegate().deleteIfExists(path);
    newNames.remove(path.toAbsolutePath());
    unlinked.remove(path.toAbsolutePath());
  }

  @Override
  public synchronized void forceDirectory(Path dir) throws IOException {
    delegate().forceDirectory(dir);
    Path d = dir.toAbsolutePath();
    Path sd = shadowOf(d);
    Files.createDirectories(sd);
    try (Stream<Path> real = Files.list(d)) {
      for (Path f : real.filter(Files::isRegularFile).toList()) {
        if (newNames.remove(f)) {
          byte[] content = unlinked.remove(f);
          writeDurable(sd.resolve(f.getFileName()), content == null ? new byte[0] : content);
        }
      }
    }
    try (Stream<Path> durable = Files.list(sd)) {
      for (Path s : durable.filter(Files::isRegularFile).toList()) {
        if (!Files.exists(d.resolve(s.getFileName()))) {
          Files.delete(s);
        }
      }
    }
  }

  @Override
  public FileHandle openReadOnly(Path file) throws IOException {
    return delegate().openReadOnly(file);
  }

  /**
   * After the process using the layer died: makes {@code root} hold exactly the durable state in
   * {@code shadow}. With {@code torn} non-null a file whose real content extends its durable
   * content also keeps a random part of the unsynced bytes, as a disk may have written some pages
   * before the power went. Returns the unsynced bytes dropped.
   */
  static long powerLoss(Path root, Path shadow, Random torn) throws IOException {
    long dropped = 0;
    Map<Path, byte[]> boot = new HashMap<>();
    for (Path s : files(shadow)) {
      Path rel = shadow.relativize(s);
      byte[] durable = Files.readAllBytes(s);
      Path real = root.resolve(rel);
      if (Files.exists(real)) {
        byte[] now = Files.readAllBytes(real);
        if (now.length > durable.length
            && Arrays.equals(now, 0, durable.length, durable, 0, durable.length)) {
          int extra = torn == null ? 0 : torn.nextInt(now.length - durable.length + 1);
          dropped += now.length - durable.length - extra;
          durable = Arrays.copyOf(now, durable.length + extra);
        }
      }
      boot.put(rel, durable);
    }
    for (Path r : files(root)) {
      if (!boot.containsKey(root.relativize(r))) {
        dropped += Files.size(r);
        Files.delete(r);
      }
    }
    for (Map.Entry<Path, byte[]> e : boot.entrySet()) {
      Path real = root.resolve(e.getKey());
      Files.createDirectories(real.getParent());
      Files.write(real, e.getValue());
    }
    return dropped;
  }

  /**
   * Makes {@code shadow} a copy of {@code root}: after a clean close everything there is durable.
   */
  static void synced(Path root, Path shadow) throws IOException {
    for (Path s : files(shadow)) {
      Files.delete(s);
    }
    for (Path r : files(root)) {
      Path s = shadow.resolve(root.relativize(r));
      Files.createDirectories(s.getParent());
      Files.write(s, Files.readAllBytes(r));
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
    }
  }
}
