package io.tributary.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * How the storage's small files (pointers, records, markers, locks) are written and read on any file
 * system: replaced atomically, created only if absent, read whole. A local disk, HDFS and S3 each
 * need their own way to make these atomic; {@link PipelineStorage} and the operators that hold no
 * storage write through here.
 */
final class StorageFiles {

  private StorageFiles() {}

  /**
   * Creates {@code path} with {@code text} unless it exists; returns whether this call created it.
   * Atomic on a local disk (create-new) and on HDFS (create without overwrite). On S3 through S3A
   * (Hadoop 3.4.2 and later) it checks that the object is absent, then makes its one PUT conditional
   * ({@link #createNew}), so of two writers that both passed the check, S3 takes one PUT and the other
   * gets {@code 412 Precondition Failed}: atomic where the store honours the header (AWS S3 does; a
   * store that ignores it, or {@code fs.s3a.create.conditional.enabled=false}, lets both writes through,
   * the last one winning).
   */
  static boolean createIfAbsent(Path path, String text, Configuration hadoopConf) {
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      if ("file".equals(fs.getScheme())) {
        java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(path).toUri());
        java.nio.file.Files.createDirectories(local.getParent());
        java.nio.file.Path created = java.nio.file.Files.createFile(local);
        try {
          java.nio.file.Files.writeString(created, text, StandardCharsets.UTF_8);
        } catch (
            IOException e) { // a full disk: the empty file this call created is not left behind
          java.nio.file.Files.deleteIfExists(created);
          throw e;
        }
        return true;
      }
      fs.mkdirs(path.getParent());
      FSDataOutputStream out = createNew(fs, path);
      try (out) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the file this call created exclusively is its own: not left behind empty or cut short (a
        // lock nobody could read would block every later update); an object store creates the
        // object only when the stream closes, so a failure there left nothing of this call's
        if (!isObjectStore(fs.makeQualified(path))) {
          try {
            fs.delete(path, false);
          } catch (IOException notDeleted) {
            e.addSuppressed(notDeleted);
          }
        }
        throw e;
      }
      return true;
    } catch (java.nio.file.FileAlreadyExistsException
        | org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (isObjectStore(path) && preconditionFailed(e)) {
        return false; // S3 refused the conditional PUT: another writer created the object first
      }
      throw new UncheckedIOException("Cannot create " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * A stream that creates {@code path} when it closes, failing if the path exists: on S3 (S3A, with
   * {@code fs.s3a.create.conditional.enabled}, the default) its one PUT carries {@code If-None-Match: *},
   * so S3 refuses it with 412 if another writer created the object after the existence check; a plain
   * create without overwrite elsewhere. {@link #createIfAbsent} writes through it.
   */
  static FSDataOutputStream createNew(FileSystem fs, Path path) throws IOException {
    if (isObjectStore(fs.makeQualified(path))
        && fs.getConf().getBoolean("fs.s3a.create.conditional.enabled", true)) {
      org.apache.hadoop.fs.FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(path);
      builder.overwrite(false);
      builder.opt(PipelineStorage.S3A_CONDITIONAL_CREATE, true);
      return builder.build();
    }
    return fs.create(path, false);
  }

  /**
   * Whether {@code path} is on S3 (through S3A, as {@code s3://} is here): there a rename is a copy and
   * a delete, not atomic, while a PUT of a whole object is.
   */
  static boolean isObjectStore(Path path) {
    String scheme = path.toUri().getScheme();
    return "s3a".equals(scheme) || "s3".equals(scheme);
  }

  /** A refused conditional PUT (HTTP 412), however S3A words it. */
  private static boolean preconditionFailed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.contains("412")
          || message.contains("PreconditionFailed")
          || message.contains("Precondition Failed")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes {@code bytes} to {@code path} so readers see the old or the new content, never a part, and
   * never no file (a lock's heartbeat is rewritten while others check it): on a local disk an atomic
   * move over the old file, since Hadoop's local rename with overwrite deletes it first; on HDFS a
   * temporary file renamed over it; on S3 one PUT of the whole object, which S3 makes visible at once
   * and whole, since a rename there is a copy and a delete (a reader between the two would see no file,
   * or the copy's partial state on stores that copy in parts).
   */
  static void writeAtomically(Path path, byte[] bytes, Configuration hadoopConf) {
    Path temp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      if ("file".equals(fs.getScheme())) {
        java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(path).toUri());
        java.nio.file.Path localTemp = java.nio.file.Path.of(fs.makeQualified(temp).toUri());
        java.nio.file.Files.createDirectories(local.getParent());
        java.nio.file.Files.write(localTemp, bytes);
        java.nio.file.Files.move(
            localTemp,
            local,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      if (isObjectStore(fs.makeQualified(path))) {
        // S3A uploads a small stream as one PUT when it closes: the object changes whole, or not at
        // all
        try (FSDataOutputStream out = fs.create(path, true)) {
          out.write(bytes);
        }
        return;
      }
      fs.mkdirs(path.getParent());
      try (FSDataOutputStream out = fs.create(temp, false)) {
        out.write(bytes);
      }
      FileContext.getFileContext(path.toUri(), hadoopConf)
          .rename(temp, path, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** The whole of {@code path} as UTF-8 text, or empty if there is no such file. */
  static Optional<String> readText(Path path, Configuration hadoopConf) {
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      if (!fs.exists(path)) {
        return Optional.empty();
      }
      try (FSDataInputStream in = fs.open(path)) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Deletes {@code path}, a file or a folder with all it holds; nothing if it does not exist. */
  static void delete(Path path, Configuration hadoopConf) {
    try {
      path.getFileSystem(hadoopConf).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
