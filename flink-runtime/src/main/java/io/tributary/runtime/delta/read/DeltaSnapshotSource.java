package io.tributary.runtime.delta.read;

import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.source.CaughtUpGauges;
import io.tributary.runtime.source.CaughtUpRegistry;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * A Flink source (FLIP-27) reading one snapshot of a Delta table through Delta Kernel: the latest
 * version when the job starts, or a given version. One split per data file; columns are picked by
 * name from the table into the requested row type.
 *
 * <p>{@link #bounded} finishes after the snapshot (BATCH jobs). {@link #unbounded} reads the snapshot
 * and then idles without finishing: a STREAMING job run as a triggered update must not have a
 * finishing source, since an operator that finished before a checkpoint is not run again after a
 * restore. The snapshot version is chosen once, kept in the enumerator's checkpoint, and not
 * re-resolved after a failover.
 *
 * <pre>{@code
 * DataStream<RowData> customers = env.fromSource(
 *     DeltaSnapshotSource.bounded("/data/tables/customers", rowType),
 *     WatermarkStrategy.noWatermarks(), "customers");
 * }</pre>
 */
public final class DeltaSnapshotSource
    implements Source<RowData, DeltaFileSplit, DeltaSnapshotSource.EnumeratorState>,
        ResultTypeQueryable<RowData> {

  private static final long serialVersionUID = 1L;

  private final String tablePath;
  private final RowType rowType;
  private final long version;
  private final Boundedness boundedness;
  @Nullable private final String updateId;
  @Nullable private final String sourceId;
  private final HadoopSettings hadoop;

  private DeltaSnapshotSource(
      String tablePath,
      RowType rowType,
      long version,
      Boundedness boundedness,
      @Nullable String updateId,
      @Nullable String sourceId) {
    this(tablePath, rowType, version, boundedness, updateId, sourceId, HadoopSettings.none());
  }

  private DeltaSnapshotSource(
      String tablePath,
      RowType rowType,
      long version,
      Boundedness boundedness,
      @Nullable String updateId,
      @Nullable String sourceId,
      HadoopSettings hadoop) {
    this.hadoop = java.util.Objects.requireNonNull(hadoop, "hadoop");
    this.tablePath = tablePath;
    this.rowType = rowType;
    this.version = version;
    this.boundedness = boundedness;
    this.updateId = updateId;
    this.sourceId = sourceId;
  }

  /** Reads the latest snapshot, then finishes. */
  public static DeltaSnapshotSource bounded(String tablePath, RowType rowType) {
    return new DeltaSnapshotSource(tablePath, rowType, -1, Boundedness.BOUNDED, null, null);
  }

  /** Reads the latest snapshot, then idles forever (never finishes). */
  public static DeltaSnapshotSource unbounded(String tablePath, RowType rowType) {
    return new DeltaSnapshotSource(
        tablePath, rowType, -1, Boundedness.CONTINUOUS_UNBOUNDED, null, null);
  }

  /**
   * As {@link #unbounded(String, RowType)}, and once every file is read and every reader waits for
   * more, reports through {@link CaughtUpRegistry} and its {@link CaughtUpGauges} (for a runner in
   * another JVM) that it has caught up in update {@code updateId}, so a triggered update can stop the job.
   */
  public static DeltaSnapshotSource unbounded(
      String tablePath, RowType rowType, String updateId, String sourceId) {
    return new DeltaSnapshotSource(
        tablePath,
        rowType,
        -1,
        Boundedness.CONTINUOUS_UNBOUNDED,
        java.util.Objects.requireNonNull(updateId, "updateId"),
        java.util.Objects.requireNonNull(sourceId, "sourceId"));
  }

  /** The same source reading table version {@code tableVersion} instead of the latest. */
  public DeltaSnapshotSource atVersion(long tableVersion) {
    if (tableVersion < 0) {
      throw new IllegalArgumentException("a table version is >= 0: " + tableVersion);
    }
    return new DeltaSnapshotSource(
        tablePath, rowType, tableVersion, boundedness, updateId, sourceId, hadoop);
  }

  /** The same source reading through the pipeline's Hadoop settings (enumerator and readers). */
  public DeltaSnapshotSource withHadoop(HadoopSettings settings) {
    return new DeltaSnapshotSource(
        tablePath, rowType, version, boundedness, updateId, sourceId, settings);
  }

  @Override
  public Boundedness getBoundedness() {
    return boundedness;
  }

  @Override
  public SourceReader<RowData, DeltaFileSplit> createReader(SourceReaderContext context) {
    return new DeltaSnapshotReader(context, rowType, false, hadoop);
  }

  @Override
  public SplitEnumerator<DeltaFileSplit, EnumeratorState> createEnumerator(
      SplitEnumeratorContext<DeltaFileSplit> context) {
    return new Enumerator(context, new EnumeratorState(false, List.of()));
  }

  @Override
  public SplitEnumerator<DeltaFileSplit, EnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<DeltaFileSplit> context, EnumeratorState state) {
    return new Enumerator(context, state);
  }

  @Override
  public SimpleVersionedSerializer<DeltaFileSplit> getSplitSerializer() {
    return DeltaFileSplit.Serializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<EnumeratorState> getEnumeratorCheckpointSerializer() {
    return new StateSerializer();
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(rowType);
  }

  /** Whether the snapshot was listed yet, and the files not yet assigned. */
  public record EnumeratorState(boolean listed, List<DeltaFileSplit> remaining) {
    public EnumeratorState {
      remaining = List.copyOf(remaining);
    }
  }

  private final class Enumerator implements SplitEnumerator<DeltaFileSplit, EnumeratorState> {
    private final SplitEnumeratorContext<DeltaFileSplit> context;
    private final ArrayDeque<DeltaFileSplit> remaining;
    private final java.util.Set<Integer> waiting = new java.util.HashSet<>();
    private boolean listed;
    @Nullable private CaughtUpGauges caughtUp;

    Enumerator(SplitEnumeratorContext<DeltaFileSplit> context, EnumeratorState state) {
      this.context = context;
      this.remaining = new ArrayDeque<>(state.remaining());
      this.listed = state.listed();
    }

    @Override
    public void start() {
      if (updateId != null) {
        caughtUp =
            CaughtUpGauges.register(
                context.metricGroup(), "Delta snapshot source", updateId, sourceId);
      }
      if (!listed) {
        // resolve the version and list the files once; later only the state's remaining files
        KernelSnapshotScan scan =
            new KernelSnapshotScan(DeltaTableReader.engine(hadoop), tablePath, version, rowType);
        for (String file : scan.files()) {
          remaining.add(new DeltaFileSplit(tablePath, scan.version(), file, 0));
        }
        listed = true;
      }
    }

    @Override
    public void handleSplitRequest(int subtask, @Nullable String host) {
      DeltaFileSplit next = remaining.poll();
      if (next != null) {
        context.assignSplit(next, subtask);
      } else if (boundedness == Boundedness.BOUNDED) {
        context.signalNoMoreSplits(subtask);
      } else {
        waiting.add(subtask);
        reportCaughtUp();
      }
    }

    /** Caught up: every file handed out and every reader of the parallelism waiting for more. */
    private void reportCaughtUp() {
      if (caughtUp != null) {
        var readers = context.registeredReaders().keySet();
        caughtUp.update(
            remaining.isEmpty()
                && readers.size() == context.currentParallelism()
                && waiting.containsAll(readers));
      }
    }

    @Override
    public void addSplitsBack(List<DeltaFileSplit> splits, int subtask) {
      remaining.addAll(splits);
      waiting.remove(subtask);
      reportCaughtUp();
    }

    @Override
    public void addReader(int subtask) {
      waiting.remove(subtask); // a (re)registered reader asks for a split itself
      reportCaughtUp();
    }

    @Override
    public EnumeratorState snapshotState(long checkpointId) {
      return new EnumeratorState(listed, new ArrayList<>(remaining));
    }

    @Override
    public void close() {
      if (caughtUp != null) {
        caughtUp.close();
      }
    }
  }

  private static final class StateSerializer implements SimpleVersionedSerializer<EnumeratorState> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(EnumeratorState state) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeBoolean(state.listed());
        out.writeInt(state.remaining().size());
        for (DeltaFileSplit split : state.remaining()) {
          DeltaFileSplit.Serializer.write(out, split);
        }
      }
      return bytes.toByteArray();
    }

    @Override
    public EnumeratorState deserialize(int formatVersion, byte[] serialized) throws IOException {
      if (formatVersion != 1) {
        throw new IOException("Unknown Delta enumerator state format " + formatVersion);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        boolean listed = in.readBoolean();
        int n = in.readInt();
        List<DeltaFileSplit> splits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          splits.add(DeltaFileSplit.Serializer.read(in));
        }
        return new EnumeratorState(listed, splits);
      }
    }
  }
}
