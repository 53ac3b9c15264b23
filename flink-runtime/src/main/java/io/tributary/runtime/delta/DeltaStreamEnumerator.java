package io.tributary.runtime.delta;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import io.tributary.runtime.source.CaughtUpRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Delta table's log version by version and hands out the files of each, one file (split) per
 * reader request.
 *
 * <p>Triggered mode: at the start of an update it reads the log up to the latest version, unless its
 * restored state already did so for this update (a failover mid-update), hands out the files, and then
 * stays silent: it never signals "no more splits", since a finished source would end the job and Flink
 * would delete its checkpoints. Continuous mode reads the new versions every poll interval. Log reads
 * run in the coordinator's worker thread; everything else in the coordinator thread. A read whose
 * starting version is no longer the state's (a slower earlier poll) is dropped.
 *
 * <p>It reports when it has caught up (nothing left to assign, every registered reader waiting for a
 * split) through {@link CaughtUpRegistry} and a {@code caughtUp} gauge, as Auto Loader's enumerator.
 */
final class DeltaStreamEnumerator implements SplitEnumerator<DeltaFileSplit, DeltaStreamSource.EnumeratorState> {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaStreamEnumerator.class);

  /** The name of the enumerator gauge a remote runner polls (Auto Loader's too). */
  static final String CAUGHT_UP_METRIC = "caughtUp";

  private final SplitEnumeratorContext<DeltaFileSplit> context;
  private final DeltaStreamSource.Settings settings;
  private final Deque<DeltaFileSplit> pending;
  private final Set<Integer> awaiting = new TreeSet<>();
  private volatile long nextVersion;
  private String listedUpdateId;
  private volatile boolean caughtUp;
  private int admittedFiles;

  DeltaStreamEnumerator(SplitEnumeratorContext<DeltaFileSplit> context, DeltaStreamSource.Settings settings,
      DeltaStreamSource.EnumeratorState state) {
    this.context = context;
    this.settings = settings;
    this.pending = new ArrayDeque<>(state.pending());
    this.nextVersion = state.nextVersion();
    this.listedUpdateId = state.listedUpdateId();
  }

  /** The files of versions {@code from} (the state's next version when the read began) to {@code next - 1}. */
  record LogRead(long from, long next, List<DeltaFileSplit> splits) {}

  @Override
  public void start() {
    context.metricGroup().gauge(CAUGHT_UP_METRIC, () -> caughtUp ? 1 : 0);
    if (settings.mode() == DeltaStreamSource.Mode.CONTINUOUS) {
      context.callAsync(this::readLog, this::onRead, 0L, settings.pollInterval().toMillis());
    } else if (!settings.updateId().equals(listedUpdateId)) {
      context.callAsync(this::readLog, this::onRead);
    } else {
      LOG.info("Delta source '{}': update {} read the log before a failover; restoring {} pending files.",
          settings.sourceId(), listedUpdateId, pending.size());
      assignAndCheck();
    }
  }

  /** Reads the log from the next version to the latest (worker thread). */
  LogRead readLog() {
    long from = nextVersion;
    Engine engine = DeltaTableReader.engine();
    String table = settings.tablePath();
    long latest = KernelSnapshotScan.snapshot(engine, table, -1).getVersion();
    List<DeltaFileSplit> splits = new ArrayList<>();
    long first = from;
    if (from < 0) {
      Long starting = settings.startingVersion();
      if (starting == null) {
        checkTypes(engine, latest);
        KernelSnapshotScan scan = new KernelSnapshotScan(engine, table, latest, settings.rowType(), true);
        scan.files().forEach(file -> splits.add(new DeltaFileSplit(table, latest, file, 0)));
        LOG.info("Delta source '{}': starts with the snapshot of version {} of {} ({} files).",
            settings.sourceId(), latest, table, splits.size());
        return new LogRead(from, latest + 1, splits);
      }
      if (starting < 0) {
        LOG.info("Delta source '{}': starts after the latest version {} of {}.", settings.sourceId(), latest, table);
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
    for (DeltaCommitLog.Commit commit : DeltaCommitLog.read(engine, table, first, latest)) {
      if (commit.metadataChanged()) {
        checkTypes(engine, commit.version());
      }
      if (commit.removesData()) {
        if (!settings.skipChangeCommits()) {
          throw DeltaTableException.changeCommit(table, commit.version(), settings.sourceId());
        }
        LOG.info("Delta source '{}': skips version {} of {}, which deletes or rewrites rows (skipChangeCommits).",
            settings.sourceId(), commit.version(), table);
        continue;
      }
      commit.addedFiles().forEach(file -> splits.add(new DeltaFileSplit(table, commit.version(), file, 0)));
    }
    LOG.info("Delta source '{}': versions {} to {} of {} add {} files.", settings.sourceId(), first, latest, table,
        splits.size());
    return new LogRead(from, latest + 1, splits);
  }

  /** Fails when a column the stream reads has another type in {@code version} (a new column is fine). */
  private void checkTypes(Engine engine, long version) {
    StructType schema = KernelSnapshotScan.snapshot(engine, settings.tablePath(), version).getSchema();
    RowType now = DeltaTypes.toRowType(schema);
    for (RowType.RowField field : settings.rowType().getFields()) {
      int index = now.getFieldNames().indexOf(field.getName());
      if (index < 0) {
        continue;
      }
      LogicalType read = field.getType().copy(true);
      LogicalType written = now.getTypeAt(index).copy(true);
      if (!read.equals(written)) {
        throw DeltaTableException.typeChanged(settings.tablePath(), version, field.getName(), read.asSummaryString(),
            written.asSummaryString());
      }
    }
  }

  void onRead(@Nullable LogRead read, @Nullable Throwable error) {
    if (error != null) {
      throw new FlinkRuntimeException(error.getMessage(), error);
    }
    if (read.from() != nextVersion) {
      return;
    }
    pending.addAll(read.splits());
    nextVersion = read.next();
    listedUpdateId = settings.updateId();
    assignAndCheck();
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    awaiting.add(subtaskId);
    assignAndCheck();
  }

  @Override
  public void addSplitsBack(List<DeltaFileSplit> splits, int subtaskId) {
    // A failed reader's splits, with the positions of the last checkpoint: they go first.
    for (int i = splits.size() - 1; i >= 0; i--) {
      pending.addFirst(splits.get(i));
    }
    awaiting.remove(subtaskId);
    assignAndCheck();
  }

  @Override
  public void addReader(int subtaskId) {
    // A (re)registered reader asks for a split itself when it has none; until then it is not waiting.
    awaiting.remove(subtaskId);
    assignAndCheck();
  }

  @Override
  public DeltaStreamSource.EnumeratorState snapshotState(long checkpointId) {
    return new DeltaStreamSource.EnumeratorState(listedUpdateId, nextVersion, new ArrayList<>(pending));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    // a new micro-batch: maxFilesPerTrigger admits files again
    admittedFiles = 0;
    assignAndCheck();
  }

  @Override
  public void close() {}

  private void assignAndCheck() {
    Map<Integer, ReaderInfo> readers = context.registeredReaders();
    var waiting = awaiting.iterator();
    while (!pending.isEmpty() && waiting.hasNext() && admittedFiles < settings.maxFilesPerTrigger()) {
      int subtask = waiting.next();
      waiting.remove();
      if (readers.containsKey(subtask)) {
        admittedFiles++;
        context.assignSplit(pending.poll(), subtask);
      }
    }
    boolean now = settings.updateId().equals(listedUpdateId)
        && pending.isEmpty()
        && readers.size() == context.currentParallelism()
        && awaiting.containsAll(readers.keySet());
    if (now && !caughtUp) {
      LOG.info("Delta source '{}' caught up in update {} (next version {}).", settings.sourceId(),
          settings.updateId(), nextVersion);
      CaughtUpRegistry.markCaughtUp(settings.updateId(), settings.sourceId());
    }
    caughtUp = now;
  }
}
