package io.tributary.runtime.delta.write;

import io.delta.kernel.Snapshot;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelSnapshotScan;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Deletes the data and deletion-vector files that runs of a table's lineage left behind when they were
 * killed or failed: files no commit will ever reference. A file is deleted only when all of these hold:
 * <ul>
 *   <li>its name carries a run ({@link WriterAttempt#ownerOf}) of the live run's lineage that is not the
 *       live run: files of older builds, of compaction, of another lineage or of the live run are never
 *       touched (VACUUM keeps handling them, after its retention);</li>
 *   <li>it was last modified before the live run started, so it is not a file being written now;</li>
 *   <li>the table's log does not reference it: not in the latest snapshot (nor a deletion vector one of
 *       its files uses), not named by a {@code remove} the log still keeps;</li>
 *   <li>it is not one of {@code keep}: the files of the epochs the live run restored and has not
 *       committed yet.</li>
 * </ul>
 * The committer calls it once per run, after its first completed commit, when every epoch it restored
 * is in the log: the files a restored job commits were written before the crash, so an earlier
 * cleanup would delete them.
 */
public final class DeadAttemptFiles {

  private DeadAttemptFiles() {}

  /** What was deleted: paths relative to the table directory, and their bytes. */
  public record Result(List<String> deleted, long bytes) {
    public Result {
      deleted = List.copyOf(deleted);
    }
  }

  /**
   * Deletes the dead runs' files of {@code live}'s lineage in the table at {@code tablePath}.
   *
   * @param startedMillis when the live run started (its committer's start): younger files are kept
   * @param keep paths ({@link TableFileReferences#key} form) the live run still commits
   */
  public static Result delete(
      String tablePath,
      Configuration conf,
      WriterAttempt live,
      long startedMillis,
      Set<String> keep) {
    Path root = DeltaPaths.qualified(tablePath, conf);
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> candidates = new ArrayList<>();
      collect(fs, root, live, startedMillis, candidates);
      if (candidates.isEmpty()) {
        return new Result(List.of(), 0);
      }
      Engine engine = KernelEngine.create(conf);
      Snapshot snapshot = KernelSnapshotScan.snapshot(engine, tablePath, -1);
      Set<String> referenced = TableFileReferences.liveFiles(engine, tablePath, snapshot, root);
      // every remove the log keeps, whatever its age: a file once committed is VACUUM's to delete
      Map<String, Long> removed =
          TableFileReferences.removedFiles(engine, root, Long.MAX_VALUE, conf);
      candidates.sort(Comparator.comparing(f -> f.getPath().toString()));
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      String rootPrefix = root.toUri().getPath() + "/";
      for (FileStatus file : candidates) {
        String key = TableFileReferences.key(file.getPath());
        if (referenced.contains(key) || removed.containsKey(key) || keep.contains(key)) {
          continue;
        }
        if (!fs.delete(file.getPath(), false) && fs.exists(file.getPath())) {
          throw new IOException("could not delete " + file.getPath());
        }
        deleted.add(key.startsWith(rootPrefix) ? key.substring(rootPrefix.length()) : key);
        bytes += file.getLen();
      }
      return new Result(deleted, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Table '" + tablePath + "': cannot delete the files of dead runs: " + e.getMessage(), e);
    }
  }

  /** The files under {@code dir} named by another run of {@code live}'s lineage, older than its start. */
  private static void collect(
      FileSystem fs, Path dir, WriterAttempt live, long startedMillis, List<FileStatus> out)
      throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      boolean hidden = name.startsWith("_") || name.startsWith(".");
      if (status.isDirectory()) {
        if (!hidden || name.contains("=")) {
          collect(fs, status.getPath(), live, startedMillis, out);
        }
      } else if (!hidden && status.getModificationTime() < startedMillis) {
        Optional<WriterAttempt> owner = WriterAttempt.ownerOf(name);
        if (owner.isPresent() && live.isOtherRunOfTheSameLineage(owner.get())) {
          out.add(status);
        }
      }
    }
  }
}
