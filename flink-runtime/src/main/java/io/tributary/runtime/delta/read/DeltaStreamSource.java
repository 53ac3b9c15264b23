package io.tributary.runtime.delta.read;

import io.tributary.dsl.DeltaSource;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.source.CaughtUpRegistry;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * A Flink source (FLIP-27) streaming a Delta table's new data, version by version, for a
 * {@link DeltaSource}: first the latest snapshot (or the versions from a starting version on), then the
 * files each later commit adds. The next version to read and the files not yet assigned are the
 * enumerator's checkpointed state, and each reader's checkpoint keeps the rows it has emitted of its
 * current file, so a restore (after a failure, or the next triggered update) resumes exactly where the
 * stream stopped. Commits with {@code dataChange=false} (compaction) are skipped; a commit that removes
 * data fails the stream, or is skipped whole with {@code skipChangeCommits}; a metadata change is checked
 * for changed column types. It never finishes ({@link Boundedness#CONTINUOUS_UNBOUNDED}): triggered, it
 * reads every version up to the latest when the update starts and then reports it has caught up
 * ({@link CaughtUpRegistry}), so the runner stops the job with a savepoint; continuous, it looks for new
 * versions every poll interval.
 *
 * <pre>{@code
 * RowType type = DeltaTableReader.schema("/data/tables/orders").orElseThrow();
 * env.fromSource(DeltaStreamSource.triggered(DeltaSource.path("/data/tables/orders"), type, updateId, "orders"),
 *     WatermarkStrategy.noWatermarks(), "orders").uid("orders/source");
 * }</pre>
 */
public final class DeltaStreamSource
    implements Source<RowData, DeltaFileSplit, DeltaStreamSource.EnumeratorState>,
        ResultTypeQueryable<RowData> {

  private static final long serialVersionUID = 1L;

  /** How the source looks for new versions. */
  public enum Mode {
    /** Once at the start of each update: read up to the latest version, then report caught up. */
    TRIGGERED,
    /** Every poll interval, for as long as the job runs. */
    CONTINUOUS
  }

  /**
   * What the enumerator and readers need, serializable.
   *
   * @param startingVersion null: the latest snapshot, then later versions; -1: only versions after the
   *     latest at the start; otherwise the first version read
   */
  record Settings(
      String tablePath,
      RowType rowType,
      String updateId,
      String sourceId,
      Mode mode,
      Duration pollInterval,
      @Nullable Long startingVersion,
      boolean skipChangeCommits,
      int maxFilesPerTrigger,
      HadoopSettings hadoop)
      implements Serializable {}

  private final Settings settings;

  DeltaStreamSource(Settings settings) {
    this.settings = settings;
  }

  /** Reads the versions there are when update {@code updateId} starts, then reports caught up. */
  public static DeltaStreamSource triggered(
      DeltaSource spec, RowType rowType, String updateId, String sourceId) {
    return of(spec, rowType, updateId, sourceId, Mode.TRIGGERED, Duration.ofSeconds(1));
  }

  /** Looks for new versions every {@code pollInterval}. */
  public static DeltaStreamSource continuous(
      DeltaSource spec, RowType rowType, String updateId, String sourceId, Duration pollInterval) {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("the poll interval must be positive, was " + pollInterval);
    }
    return of(spec, rowType, updateId, sourceId, Mode.CONTINUOUS, pollInterval);
  }

  private static DeltaStreamSource of(
      DeltaSource spec,
      RowType rowType,
      String updateId,
      String sourceId,
      Mode mode,
      Duration pollInterval) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(rowType, "rowType");
    Objects.requireNonNull(updateId, "updateId");
    Objects.requireNonNull(sourceId, "sourceId");
    return new DeltaStreamSource(
        new Settings(
            spec.path(),
            rowType,
            updateId,
            sourceId,
            mode,
            pollInterval,
            spec.startingVersionNumber().orElse(null),
            spec.skipChangeCommits(),
            spec.maxFilesPerTrigger(),
            HadoopSettings.none()));
  }

  /** The same source reading through the pipeline's Hadoop settings (enumerator and readers). */
  public DeltaStreamSource withHadoop(HadoopSettings hadoop) {
    Settings s = settings;
    return new DeltaStreamSource(
        new Settings(
            s.tablePath(),
            s.rowType(),
            s.updateId(),
            s.sourceId(),
            s.mode(),
            s.pollInterval(),
            s.startingVersion(),
            s.skipChangeCommits(),
            s.maxFilesPerTrigger(),
            java.util.Objects.requireNonNull(hadoop, "hadoop")));
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<RowData, DeltaFileSplit> createReader(SourceReaderContext context) {
    return new DeltaSnapshotReader(
        context, settings.rowType(), true, settings.hadoop(), settings.sourceId());
  }

  @Override
  public SplitEnumerator<DeltaFileSplit, EnumeratorState> createEnumerator(
      SplitEnumeratorContext<DeltaFileSplit> context) {
    return new DeltaStreamEnumerator(context, settings, EnumeratorState.INITIAL);
  }

  @Override
  public SplitEnumerator<DeltaFileSplit, EnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<DeltaFileSplit> context, EnumeratorState state) {
    return new DeltaStreamEnumerator(context, settings, state);
  }

  @Override
  public SimpleVersionedSerializer<DeltaFileSplit> getSplitSerializer() {
    return DeltaFileSplit.Serializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<EnumeratorState> getEnumeratorCheckpointSerializer() {
    return StateSerializer.INSTANCE;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(settings.rowType());
  }

  /**
   * The stream's position.
   *
   * @param listedUpdateId the update the enumerator last read the log for ("" before the first)
   * @param nextVersion the next version to read, -1 before the stream has started
   * @param pending files read from the log but not yet assigned to a reader
   */
  public record EnumeratorState(
      String listedUpdateId, long nextVersion, List<DeltaFileSplit> pending) {
    static final EnumeratorState INITIAL = new EnumeratorState("", -1, List.of());

    public EnumeratorState {
      Objects.requireNonNull(listedUpdateId, "listedUpdateId");
      pending = List.copyOf(pending);
    }
  }

  /** Format 2 holds the pending splits in split format 2 (with their add actions); format 1 is still read. */
  static final class StateSerializer implements SimpleVersionedSerializer<EnumeratorState> {
    static final StateSerializer INSTANCE = new StateSerializer();

    @Override
    public int getVersion() {
      return DeltaFileSplit.Serializer.FORMAT;
    }

    @Override
    public byte[] serialize(EnumeratorState state) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        DeltaDataFile.writeString(out, state.listedUpdateId());
        out.writeLong(state.nextVersion());
        out.writeInt(state.pending().size());
        for (DeltaFileSplit split : state.pending()) {
          DeltaFileSplit.Serializer.write(out, split, getVersion());
        }
      }
      return bytes.toByteArray();
    }

    @Override
    public EnumeratorState deserialize(int formatVersion, byte[] serialized) throws IOException {
      if (formatVersion != 1 && formatVersion != 2) {
        throw new IOException("Unknown Delta stream enumerator state format " + formatVersion);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        String listed = DeltaDataFile.readString(in);
        long next = in.readLong();
        int n = in.readInt();
        List<DeltaFileSplit> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          pending.add(DeltaFileSplit.Serializer.read(in, formatVersion));
        }
        return new EnumeratorState(listed, next, pending);
      }
    }
  }
}
