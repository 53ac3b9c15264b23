package io.tributary.runtime.delta.maintain;

import io.delta.kernel.Snapshot;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelInternals;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.write.TableFileReferences;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code VACUUM} of one Delta table: deletes the files in the table directory that its latest
 * snapshot does not use and that are older than the retention period, as Delta's own VACUUM does.
 * That covers both kinds of dead files, data files ({@code .parquet}) and deletion vector files
 * ({@code deletion_vector_<uuid>.bin}) alike:
 *
 * <ul>
 *   <li>files a commit removed (an overwrite, a compaction, a bucket rewrite) more than the retention
 *       ago: the log's {@code remove} actions say when, and a file removed more recently is kept, so
 *       time travel to any version within the retention still reads. A deletion vector file counts
 *       as removed when a {@code remove} names it as the {@code deletionVector} of the file it removes
 *       (a keyed table's writer removes a file with its old vector and adds it again with a new one,
 *       or compacts the file away);
 *   <li>orphans no commit references, such as the files of an epoch whose job failed before its
 *       commit: deleted once their own modification time is older than the retention, so the files
 *       of an epoch still in flight (written, not yet committed) are never touched.
 * </ul>
 *
 * <p>Never deleted: {@code _delta_log}, any file or folder whose name starts with {@code _} or
 * {@code .} (other than partition folders {@code name=value}), every data file of the latest snapshot
 * and every deletion vector file one of them uses (one such file holds the vectors of many data files,
 * so it is live while any of them is), and any other file (not Parquet, not a deletion vector).
 * The retention defaults to the table's {@code delta.deletedFileRetentionDuration} (7 days unless set)
 * and may not be below {@link #MIN_RETENTION} unless forced, as Delta's {@code
 * retentionDurationCheck}: a shorter one could delete the files of a running epoch or those a reader
 * of an older snapshot still opens.
 */
public final class DeltaVacuum {

  /** The shortest retention accepted without {@code force}. */
  public static final Duration MIN_RETENTION = Duration.ofHours(1);

  private DeltaVacuum() {}

  /**
   * What a vacuum deleted (or, in a dry run, would delete) in one table.
   *
   * @param retention the retention applied
   * @param deleted the files, as paths relative to the table directory, in order
   * @param bytes their total size
   * @param note why some dead files were kept, if they were
   */
  public record Result(
      Duration retention, List<String> deleted, long bytes, boolean dryRun, Optional<String> note) {
    public Result {
      deleted = List.copyOf(deleted);
    }
  }

  /**
   * Fails with {@link DeltaTableException} if {@code retention} is negative, or shorter than {@link
   * #MIN_RETENTION} and not {@code forced}.
   */
  public static void checkRetention(Duration retention, boolean forced) {
    if (retention.isNegative() || (!forced && retention.compareTo(MIN_RETENTION) < 0)) {
      throw DeltaTableException.retentionTooShort(retention, MIN_RETENTION);
    }
  }

  /** The table's own retention: {@code delta.deletedFileRetentionDuration}, 7 days unless set. */
  public static Duration tableRetention(String tablePath, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    return KernelInternals.deletedFileRetention(
        KernelSnapshotScan.snapshot(engine, tablePath, -1).getTableProperties());
  }

  /**
   * Vacuums the table at {@code tablePath}.
   *
   * @param retention how old a dead file must be; empty: the table's {@link #tableRetention}
   * @param forced accept a retention below {@link #MIN_RETENTION}
   * @param keepUnreferenced if present, why files no commit references (orphans) are kept whatever
   *     their age: a job may still commit files it wrote long ago (a failed run's retained checkpoint
   *     holds an epoch not yet committed)
   * @param dryRun list the files only
   */
  public static Result vacuum(
      String tablePath,
      Optional<Duration> retention,
      boolean forced,
      Optional<String> keepUnreferenced,
      boolean dryRun,
      Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    Snapshot snapshot = KernelSnapshotScan.snapshot(engine, tablePath, -1);
    Duration applied =
        retention.orElseGet(
            () -> KernelInternals.deletedFileRetention(snapshot.getTableProperties()));
    checkRetention(applied, forced);
    long cutoff = System.currentTimeMillis() - applied.toMillis();
    Path root = DeltaPaths.qualified(tablePath, conf);
    Set<String> live = TableFileReferences.liveFiles(engine, tablePath, snapshot, root);
    Map<String, Long> removedAt = removedFiles(engine, root, cutoff, conf);
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> candidates = new ArrayList<>();
      collect(fs, root, candidates);
      candidates.sort(Comparator.comparing(f -> f.getPath().toString()));
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      int keptOrphans = 0;
      String rootPrefix = root.toUri().getPath() + "/";
      for (FileStatus file : candidates) {
        String key = key(file.getPath());
        Long removed = removedAt.get(key);
        if (live.contains(key)
            || file.getModificationTime() >= cutoff
            || (removed != null && removed >= cutoff)) {
          continue;
        }
        if (removed == null && keepUnreferenced.isPresent()) {
          keptOrphans++;
          continue;
        }
        if (!dryRun && !fs.delete(file.getPath(), false) && fs.exists(file.getPath())) {
          throw new IOException("could not delete " + file.getPath());
        }
        deleted.add(key.startsWith(rootPrefix) ? key.substring(rootPrefix.length()) : key);
        bytes += file.getLen();
      }
      Optional<String> note =
          keptOrphans == 0
              ? Optional.empty()
              : Optional.of(keptOrphans + " unreferenced file(s) kept: " + keepUnreferenced.get());
      return new Result(applied, deleted, bytes, dryRun, note);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Table '" + tablePath + "': vacuum failed: " + e.getMessage(), e);
    }
  }

  /**
   * The Parquet data files and deletion vector files under {@code dir}, skipping {@code _delta_log}
   * and hidden files and folders (names starting with {@code _} or {@code .}, except partition folders).
   */
  private static void collect(FileSystem fs, Path dir, List<FileStatus> out) throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isDirectory()) {
        if (!hidden(name) || name.contains("=")) {
          collect(fs, status.getPath(), out);
        }
      } else if (!hidden(name) && (name.endsWith(".parquet") || isDeletionVectorFile(name))) {
        out.add(status);
      }
    }
  }

  /** Whether {@code name} is a deletion vector file's, as Delta names them ({@code deletion_vector_<uuid>.bin}). */
  private static boolean isDeletionVectorFile(String name) {
    return name.startsWith("deletion_vector_") && name.endsWith(".bin");
  }

  private static boolean hidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  private static Map<String, Long> removedFiles(
      Engine engine, Path root, long cutoff, Configuration conf) {
    return TableFileReferences.removedFiles(engine, root, cutoff, conf);
  }

  private static String key(Path path) {
    return TableFileReferences.key(path);
  }
}
