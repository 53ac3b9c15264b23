package io.tributary.runtime.delta.maintain;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.CheckpointAlreadyExistsException;
import io.tributary.runtime.delta.DeltaLogDirectory;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelInternals;
import io.tributary.runtime.delta.KernelSnapshotScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Keeps a table's {@code _delta_log} short: writes a checkpoint of the latest version when commits
 * were made since the last one (so a reader replays no JSON commits), then deletes the commit and
 * checkpoint files older than the table's {@code delta.logRetentionDuration} (30 days unless set)
 * that a newer checkpoint makes unnecessary, unless {@code delta.enableExpiredLogCleanup} is false.
 * The cleanup is Kernel's own (through {@link KernelInternals#cleanupExpiredLogs}): every version
 * within the log retention stays readable by time travel.
 */
public final class DeltaLogMaintenance {

  private DeltaLogMaintenance() {}

  /**
   * What was done to one table's log.
   *
   * @param checkpoint the version checkpointed (in a dry run: that would be); empty if the latest
   *     version already has one
   * @param logFilesDeleted commit and checkpoint files deleted; 0 in a dry run (the cleanup is
   *     Kernel's and is not simulated)
   * @param logRetention the table's log retention; empty if its expired log cleanup is disabled
   */
  public record Result(
      OptionalLong checkpoint,
      int logFilesDeleted,
      Optional<Duration> logRetention,
      boolean dryRun) {}

  public static Result run(String tablePath, boolean dryRun, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    Table table = Table.forPath(engine, tablePath);
    Snapshot snapshot = KernelSnapshotScan.snapshot(engine, tablePath, -1);
    Map<String, String> properties = snapshot.getTableProperties();
    Optional<Duration> retention =
        KernelInternals.expiredLogCleanupEnabled(properties)
            ? Optional.of(KernelInternals.logRetention(properties))
            : Optional.empty();
    Path root = DeltaPaths.qualified(tablePath, conf);
    DeltaLogDirectory before = DeltaLogDirectory.list(root, conf);
    long version = snapshot.getVersion();
    OptionalLong checkpoint =
        version > before.lastCheckpoint().orElse(0)
            ? OptionalLong.of(version)
            : OptionalLong.empty();
    if (dryRun) {
      return new Result(checkpoint, 0, retention, true);
    }
    try {
      if (checkpoint.isPresent()) {
        try {
          table.checkpoint(engine, version);
        } catch (CheckpointAlreadyExistsException e) {
          // written meanwhile by a committer: the same checkpoint
        }
      }
      if (retention.isPresent()) {
        KernelInternals.cleanupExpiredLogs(engine, table.getPath(engine), retention.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Table '" + tablePath + "': log maintenance failed: " + e.getMessage(), e);
    }
    Set<String> remaining = new HashSet<>(DeltaLogDirectory.list(root, conf).names());
    int deleted = (int) before.names().stream().filter(name -> !remaining.contains(name)).count();
    return new Result(checkpoint, deleted, retention, false);
  }
}
