package io.tributary.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job's completed snapshots in the storage: the checkpoints a run retains (in a folder per Flink
 * job id) and the savepoints each update ends with. A snapshot completed when its {@code _metadata}
 * exists; which one a job restores, and which may go, is decided from these folders alone, so it
 * holds across processes and crashes. {@link PipelineStorage} names the folders.
 */
final class Snapshots {

  private final Configuration hadoopConf;

  Snapshots(Configuration hadoopConf) {
    this.hadoopConf = hadoopConf;
  }

  /**
   * The folder of the newest completed snapshot, by its {@code _metadata}'s modification time, of the
   * checkpoints under {@code checkpointDir} and the savepoints under {@code savepointDir}.
   */
  Optional<String> newest(Path checkpointDir, Path savepointDir) {
    Optional<FileStatus> checkpoint = newestMetadata(checkpointDir, "chk-", true);
    Optional<FileStatus> savepoint = newestMetadata(savepointDir, "savepoint-", false);
    Optional<FileStatus> newest =
        checkpoint.isEmpty()
            ? savepoint
            : savepoint.isEmpty()
                ? checkpoint
                : Optional.of(
                    savepoint.get().getModificationTime() > checkpoint.get().getModificationTime()
                        ? savepoint.get()
                        : checkpoint.get());
    return newest.map(status -> status.getPath().getParent().toString());
  }

  /** Whether a completed checkpoint is retained under {@code checkpointDir}. */
  boolean hasCheckpoint(Path checkpointDir) {
    return newestMetadata(checkpointDir, "chk-", true).isPresent();
  }

  /**
   * The {@code _metadata} file, newest by modification time, of the completed snapshots named
   * {@code prefix*} in {@code dir} (or, {@code nested}, in its subfolders: checkpoints sit in a
   * folder per job id). A snapshot without {@code _metadata} did not complete.
   */
  private Optional<FileStatus> newestMetadata(Path dir, String prefix, boolean nested) {
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      if (!fs.exists(dir)) {
        return Optional.empty();
      }
      List<FileStatus> parents =
          nested
              ? Arrays.stream(fs.listStatus(dir)).filter(FileStatus::isDirectory).toList()
              : List.of(fs.getFileStatus(dir));
      FileStatus newest = null;
      for (FileStatus parent : parents) {
        for (FileStatus snapshot : fs.listStatus(parent.getPath())) {
          Path metadata = new Path(snapshot.getPath(), "_metadata");
          if (snapshot.isDirectory()
              && snapshot.getPath().getName().startsWith(prefix)
              && fs.exists(metadata)) {
            FileStatus status = fs.getFileStatus(metadata);
            if (newest == null || status.getModificationTime() > newest.getModificationTime()) {
              newest = status;
            }
          }
        }
      }
      return Optional.ofNullable(newest);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the snapshots under " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Drops the savepoints under {@code dir} but the one named {@code current}. */
  void clearAllBut(Path dir, String current) {
    Path keep = new Path(current);
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      if (!fs.exists(dir)) {
        return;
      }
      for (FileStatus savepoint : fs.listStatus(dir)) {
        if (!savepoint.getPath().getName().equals(keep.getName())) {
          fs.delete(savepoint.getPath(), true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot clear the old savepoints under " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The names of the job folders under {@code dir} whose checkpoints hold a completed one. */
  List<String> jobsWithCheckpoints(Path dir, Function<String, Path> checkpointDir) {
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      List<String> jobs = new ArrayList<>();
      if (fs.exists(dir)) {
        for (FileStatus job : fs.listStatus(dir)) {
          if (job.isDirectory() && hasCheckpoint(checkpointDir.apply(job.getPath().getName()))) {
            jobs.add(job.getPath().getName());
          }
        }
      }
      Collections.sort(jobs);
      return jobs;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the jobs under " + dir + ": " + e.getMessage(), e);
    }
  }
}
