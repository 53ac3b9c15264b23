package io.tributary.runtime.delta.read;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import io.tributary.runtime.delta.DeltaAddFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.source.PendingSplitEnumerator;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Delta table's log version by version and hands out the files of each, one file (split) per
 * reader request, as every streaming source of Tributary does ({@link PendingSplitEnumerator}: when it
 * reads the log, the order and budget of the hand-out, and when it has caught up). Log reads run in the
 * coordinator's worker thread; everything else in the coordinator thread. A read whose starting version
 * is no longer the state's (a slower earlier poll) is dropped.
 */
final class DeltaStreamEnumerator
    extends PendingSplitEnumerator<
        DeltaFileSplit, DeltaStreamSource.EnumeratorState, DeltaStreamEnumerator.LogRead> {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaStreamEnumerator.class);

  private final DeltaStreamSource.Settings settings;
  private volatile long nextVersion;

  DeltaStreamEnumerator(
      SplitEnumeratorContext<DeltaFileSplit> context,
      DeltaStreamSource.Settings settings,
      DeltaStreamSource.EnumeratorState state) {
    super(
        context,
        new Listing(
            "Delta source",
            settings.sourceId(),
            settings.updateId(),
            settings.mode() == DeltaStreamSource.Mode.CONTINUOUS ? settings.pollInterval() : null),
        EpochBudget.files(settings.maxFilesPerTrigger()),
        state.listedUpdateId(),
        state.pending());
    this.settings = settings;
    this.nextVersion = state.nextVersion();
  }

  /** The files of versions {@code from} (the state's next version when the read began) to {@code next - 1}. */
  record LogRead(long from, long next, List<DeltaFileSplit> splits) {}

  @Override
  protected LogRead list() {
    return readLog();
  }

  /** Reads the log from the next version to the latest (worker thread). */
  LogRead readLog() {
    long from = nextVersion;
    Engine engine = DeltaTableReader.engine(settings.hadoop());
    String table = settings.tablePath();
    long latest = KernelSnapshotScan.snapshot(engine, table, -1).getVersion();
    List<DeltaFileSplit> splits = new ArrayList<>();
    long first = from;
    if (from < 0) {
      Long starting = settings.startingVersion();
      if (starting == null) {
        checkTypes(engine, latest);
        KernelSnapshotScan scan =
            new KernelSnapshotScan(engine, table, latest, settings.rowType(), true);
        List<String> files = scan.files();
        List<DeltaAddFile> adds = scan.addFiles();
        for (int i = 0; i < files.size(); i++) {
          splits.add(new DeltaFileSplit(table, latest, files.get(i), 0, latest, adds.get(i)));
        }
        LOG.info(
            "Delta source '{}': starts with the snapshot of version {} of {} ({} files).",
            settings.sourceId(),
            latest,
            table,
            splits.size());
        return new LogRead(from, latest + 1, splits);
      }
      if (starting < 0) {
        LOG.info(
            "Delta source '{}': starts after the latest version {} of {}.",
            settings.sourceId(),
            latest,
            table);
        return new LogRead(from, latest + 1, splits);
      }
      first = starting;
      if (first <= latest) {
        checkTypes(engine, first);
      }
    }
    if (first > latest) {
      return new LogRead(from, first, splits);
    }
    // Files are read with the metadata of the last version that changed it (or of the first read):
    // one snapshot load per schema for the readers. A protocol change alone does not change how a
    // file reads.
    long schemaVersion = first;
    for (DeltaCommitLog.Commit commit : DeltaCommitLog.read(engine, table, first, latest)) {
      if (commit.metadataChanged()) {
        checkTypes(engine, commit.version());
        schemaVersion = commit.version();
      }
      if (commit.removesData()) {
        if (!settings.skipChangeCommits()) {
          throw DeltaTableException.changeCommit(table, commit.version(), settings.sourceId());
        }
        LOG.info(
            "Delta source '{}': skips version {} of {}, which deletes or rewrites rows (skipChangeCommits).",
            settings.sourceId(),
            commit.version(),
            table);
        continue;
      }
      for (DeltaAddFile add : commit.addedFiles()) {
        splits.add(new DeltaFileSplit(table, commit.version(), add.path(), 0, schemaVersion, add));
      }
    }
    LOG.info(
        "Delta source '{}': versions {} to {} of {} add {} files.",
        settings.sourceId(),
        first,
        latest,
        table,
        splits.size());
    return new LogRead(from, latest + 1, splits);
  }

  /** Fails when a column the stream reads has another type in {@code version} (a new column is fine). */
  private void checkTypes(Engine engine, long version) {
    StructType schema =
        KernelSnapshotScan.snapshot(engine, settings.tablePath(), version).getSchema();
    RowType now = DeltaTypes.toRowType(schema);
    for (RowType.RowField field : settings.rowType().getFields()) {
      int index = now.getFieldNames().indexOf(field.getName());
      if (index < 0) {
        continue;
      }
      LogicalType read = field.getType().copy(true);
      LogicalType written = now.getTypeAt(index).copy(true);
      if (!read.equals(written) && !storedAs(field, schema)) {
        throw DeltaTableException.typeChanged(
            settings.tablePath(),
            version,
            field.getName(),
            read.asSummaryString(),
            written.asSummaryString());
      }
    }
  }

  /**
   * Whether the table stores {@code field} as the stream would write it: a column Tributary wrote as
   * TIMESTAMP(3) is a Delta {@code timestamp}, which reads back as TIMESTAMP_LTZ(6), and the reader
   * converts it back (an incremental materialized table reads its input with the plan's row type).
   */
  private static boolean storedAs(RowType.RowField field, StructType schema) {
    try {
      return DeltaTypes.toStructType(new RowType(List.of(field)))
          .at(0)
          .getDataType()
          .equals(schema.get(field.getName()).getDataType());
    } catch (RuntimeException notStorable) {
      return false;
    }
  }

  @Override
  @Nullable
  protected List<DeltaFileSplit> takeIn(LogRead read) {
    if (read.from() != nextVersion) {
      return null;
    }
    nextVersion = read.next();
    return read.splits();
  }

  @Override
  protected RuntimeException listingFailed(Throwable error) {
    return new FlinkRuntimeException(error.getMessage(), error);
  }

  @Override
  public DeltaStreamSource.EnumeratorState snapshotState(long checkpointId) {
    return new DeltaStreamSource.EnumeratorState(listedUpdateId(), nextVersion, pendingSplits());
  }
}
