package io.tributary.runtime.delta.read;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.source.SourceRowException;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Reads the files {@link DeltaSnapshotSource}'s enumerator assigns, one at a time, asking for the
 * next when one is done. With no split to read it reports itself idle, so it holds back no
 * watermark while an unbounded snapshot source waits forever.
 *
 * <p>It asks for a split only when it holds none: not at start when a restore gave it splits (the
 * one it was reading, at its position, and those queued behind it), and not when it finishes one
 * while others wait. The enumerators take a reader's unanswered request to mean it has read
 * everything it was given, and report the source caught up on it, which makes a triggered update
 * stop the job with a savepoint: a restored reader that asked at once had the job stopped before it
 * read its splits, and the update ended COMPLETED with their rows neither committed nor reported.
 */
final class DeltaSnapshotReader implements SourceReader<RowData, DeltaFileSplit> {

  private final SourceReaderContext context;
  private final RowType rowType;
  private final Engine engine;
  private final boolean absentAsNull;
  @Nullable private final String sourceId;
  private KernelSnapshotScan scan;
  private int snapshotLoads;
  private final ArrayDeque<DeltaFileSplit> queued = new ArrayDeque<>();
  private DeltaFileSplit current;
  private CloseableIterator<RowData> rows;
  private long emitted;
  private boolean noMoreSplits;
  private CompletableFuture<Void> available = new CompletableFuture<>();

  DeltaSnapshotReader(SourceReaderContext context, RowType rowType) {
    this(context, rowType, false, HadoopSettings.none());
  }

  /**
   * A reader for splits of any versions (a stream): it keeps the scan of the last version it read, and
   * with {@code absentAsNull} reads the columns an older version lacks as NULL.
   */
  DeltaSnapshotReader(SourceReaderContext context, RowType rowType, boolean absentAsNull) {
    this(context, rowType, absentAsNull, HadoopSettings.none());
  }

  /** As above, reading through the pipeline's Hadoop settings. */
  DeltaSnapshotReader(
      SourceReaderContext context, RowType rowType, boolean absentAsNull, HadoopSettings hadoop) {
    this(context, rowType, absentAsNull, hadoop, null);
  }

  /**
   * As above; {@code sourceId}, a stream source's uid, names the rows on which an operator chained to
   * it throws ({@link SourceRowException#ofDeltaRow}), null for none.
   */
  DeltaSnapshotReader(
      SourceReaderContext context,
      RowType rowType,
      boolean absentAsNull,
      HadoopSettings hadoop,
      @Nullable String sourceId) {
    this.sourceId = sourceId;
    this.engine = DeltaTableReader.engine(hadoop);
    this.context = context;
    this.rowType = rowType;
    this.absentAsNull = absentAsNull;
  }

  @Override
  public void start() {
    if (queued.isEmpty()) {
      context.sendSplitRequest();
    }
  }

  @Override
  public InputStatus pollNext(ReaderOutput<RowData> output) throws Exception {
    if (rows != null) {
      if (rows.hasNext()) {
        RowData row = rows.next();
        try {
          output.collect(row);
        } catch (RuntimeException e) {
          throw rowFailed(e, row);
        }
        emitted++;
        return InputStatus.MORE_AVAILABLE;
      }
      rows.close();
      rows = null;
      current = null;
      if (queued.isEmpty()) {
        context.sendSplitRequest();
      }
    }
    if (!queued.isEmpty()) {
      open(queued.poll());
      return InputStatus.MORE_AVAILABLE;
    }
    if (noMoreSplits) {
      return InputStatus.END_OF_INPUT;
    }
    output.markIdle();
    available = new CompletableFuture<>();
    return InputStatus.NOTHING_AVAILABLE;
  }

  private void open(DeltaFileSplit split) throws Exception {
    // splits come version by version (a stream's, schema by schema): keep only the scan of the
    // current one
    long version = split.add() != null ? split.schemaVersion() : split.version();
    if (scan == null || !scan.tablePath().equals(split.tablePath()) || scan.version() != version) {
      scan =
          split.add() != null
              ? KernelSnapshotScan.forAddedFiles(engine, split.tablePath(), version, rowType)
              : new KernelSnapshotScan(engine, split.tablePath(), version, rowType, absentAsNull);
      snapshotLoads++;
    }
    current = split;
    rows = split.add() != null ? scan.read(split.add()) : scan.read(split.file());
    emitted = 0;
    while (emitted < split.recordsToSkip() && rows.hasNext()) {
      rows.next();
      emitted++;
    }
  }

  /**
   * {@code error}, thrown by an operator chained to a stream's source on {@code row}, naming the table,
   * its version, the data file and the row's index in it when the planner's code threw it.
   */
  private RuntimeException rowFailed(RuntimeException error, RowData row) {
    if (sourceId == null) {
      return error;
    }
    String file =
        current.file().contains(":") || current.file().startsWith("/")
            ? current.file()
            : current.tablePath() + "/" + current.file();
    return SourceRowException.ofDeltaRow(
        error, sourceId, current.tablePath(), current.version(), file, emitted + 1, row, rowType);
  }

  /** How many snapshots this reader has loaded (a split of another version or schema loads one). */
  int snapshotLoads() {
    return snapshotLoads;
  }

  @Override
  public List<DeltaFileSplit> snapshotState(long checkpointId) {
    List<DeltaFileSplit> state = new ArrayList<>();
    if (current != null) {
      state.add(current.skipping(emitted));
    }
    state.addAll(queued);
    return state;
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    return available;
  }

  @Override
  public void addSplits(List<DeltaFileSplit> splits) {
    queued.addAll(splits);
    available.complete(null);
  }

  @Override
  public void notifyNoMoreSplits() {
    noMoreSplits = true;
    available.complete(null);
  }

  @Override
  public void close() throws IOException {
    if (rows != null) {
      rows.close();
    }
  }
}
