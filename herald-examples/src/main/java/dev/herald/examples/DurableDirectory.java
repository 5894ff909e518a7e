package dev.herald.examples;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks, before the log is opened, that {@code --durable DIR} names a directory this process can
 * create, read and write, so that a wrong directory gets one clear line instead of a stack trace
 * from deep inside the log.
 */
final class DurableDirectory {
  private DurableDirectory() {}

  /**
   * Creates {@code dir} if need be, lists it and writes then deletes a probe file in it. A real
   * write rather than a look at permission bits: for root those bits stop nothing, while a
   * read-only file system or a directory that takes no files (as under {@code /proc}) still does.
   *
   * @throws IOException saying what stood in the way ({@link #describe} makes it one line)
   */
  static void check(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException("not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException("cannot create it: " + describe(e), e);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.iterator().hasNext();
    } catch (IOException e) {
      throw new IOException("cannot read it: " + describe(e), e);
    }
    Path probe;
    try {
      probe = Files.createTempFile(dir, ".herald-write-probe-", ".tmp");
    } catch (IOException e) {
      throw new IOException("cannot create files in it: " + reason(e), e);
    }
    Files.delete(probe);
  }

  /** One line for {@code e}: the file and the system's reason, without the exception's class. */
  static String describe(IOException e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      return f.getFile() + ": " + reason(e);
    }
    return reason(e);
  }

  /** The system's reason alone, as in "Permission denied", "Read-only file system". */
  private static String reason(IOException e) {
    if (e instanceof FileAlreadyExistsException) {
      return "exists and is not a directory";
    }
    if (e instanceof FileSystemException f) {
      if (f.getReason() != null) {
        return f.getReason();
      }
      // The JDK leaves the reason out for the commonest errors, which have classes of their own.
      if (f instanceof AccessDeniedException) {
        return "Permission denied";
      }
      if (f instanceof NoSuchFileException) {
        return "No such file or directory";
      }
      return f.getClass().getSimpleName();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
