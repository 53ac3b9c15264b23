package io.tributary.runtime.delta.read;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.tributary.runtime.storage.HadoopSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a stream of a table's appends can go on from where it read: the same table (the id Delta
 * writes in a table's metadata when it is created; a table deleted and written again, as a full
 * refresh does, has a new id and numbers its versions from 0 again) whose commits since then only
 * appended rows ({@code dataChange=false} rewrites, such as compaction, append nothing and remove
 * nothing).
 */
public final class DeltaTableHistory {

  private DeltaTableHistory() {}

  /** Table {@code tableId} as of {@code version}: where a reader of its appends has read to. */
  public record Position(String tableId, long version) {
    public Position {
      Objects.requireNonNull(tableId, "tableId");
    }
  }

  /** The id and latest version of the table at {@code tablePath}; empty when there is no table there. */
  public static Optional<Position> latest(HadoopSettings hadoop, String tablePath) {
    Engine engine = DeltaTableReader.engine(hadoop);
    try {
      Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
      return Optional.of(new Position(snapshot.getMetadata().getId(), snapshot.getVersion()));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * What happened to the table at {@code tablePath} since {@code read} that a stream of its appends
   * cannot carry, worded to follow "the table": it is gone, it was created again (a new id), or a
   * later version deleted or rewrote rows; empty when every commit since {@code read} only appended.
   */
  public static Optional<String> changedSince(
      HadoopSettings hadoop, String tablePath, Position read) {
    Optional<Position> now = latest(hadoop, tablePath);
    if (now.isEmpty()) {
      return Optional.of("no longer exists");
    }
    if (!now.get().tableId().equals(read.tableId())) {
      return Optional.of(
          "was created again (Delta table id "
              + now.get().tableId()
              + ", was "
              + read.tableId()
              + "): it was refreshed in full or replaced");
    }
    if (now.get().version() < read.version()) {
      return Optional.of(
          "is at version "
              + now.get().version()
              + ", before version "
              + read.version()
              + " already read");
    }
    if (now.get().version() == read.version()) {
      return Optional.empty();
    }
    try {
      for (DeltaCommitLog.Commit commit :
          DeltaCommitLog.read(
              DeltaTableReader.engine(hadoop),
              tablePath,
              read.version() + 1,
              now.get().version())) {
        if (commit.removesData()) {
          return Optional.of(
              "deleted or rewrote rows in version "
                  + commit.version()
                  + " (an update, delete, merge or overwrite)");
        }
      }
    } catch (RuntimeException e) {
      return Optional.of(
          "has no readable history from version "
              + (read.version() + 1)
              + " on ("
              + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
              + ")");
    }
    return Optional.empty();
  }
}
