package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.eventlog.CommitProgress;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.RowData;

/**
 * Writes a stream of rows to a Delta table exactly once: parallel writers make Parquet files, one
 * committer makes one Delta commit per epoch (see {@link DeltaCommitterOperator}).
 *
 * <pre>{@code
 * DataStream<RowData> rows = ...;
 * DeltaSink.write(rows, DeltaWriteSpec.append(path, rowType, appId), "silver_orders");
 * }</pre>
 *
 * <p>Two plain operators rather than Flink's Sink V2: the committer owns its state (the epoch counter
 * and the pending epochs) and commits on {@code notifyCheckpointComplete}, which Flink also calls for
 * the synchronous savepoint of a stop-with-savepoint, before the job reports FINISHED.
 *
 * <p>The operators get the uids {@code uidPrefix + "-writer"}, {@code "-committer"} and {@code
 * "-end"}, so a job restored from a savepoint finds its state. Decide the runtime mode and
 * checkpointing of the environment before calling this: without checkpoints the table is committed
 * once, at end of input.
 */
public final class DeltaSink {

  private DeltaSink() {}

  public static DataStreamSink<?> write(
      DataStream<RowData> rows, DeltaWriteSpec spec, String uidPrefix) {
    return write(rows, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES);
  }

  /** As {@link #write(DataStream, DeltaWriteSpec, String)}, rolling files at {@code targetFileBytes}. */
  public static DataStreamSink<?> write(
      DataStream<RowData> rows, DeltaWriteSpec spec, String uidPrefix, long targetFileBytes) {
    return write(rows, spec, uidPrefix, targetFileBytes, null, null);
  }

  /**
   * As {@link #write(DataStream, DeltaWriteSpec, String)}; in a checkpointed job the committer logs
   * {@code progress}'s flow_progress event of each commit, derived from what the commit held.
   */
  public static DataStreamSink<?> write(
      DataStream<RowData> rows, DeltaWriteSpec spec, String uidPrefix, CommitProgress progress) {
    return write(rows, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES, progress, null);
  }

  /**
   * As {@link #write(DataStream, DeltaWriteSpec, String, CommitProgress)}; in a checkpointed job the
   * committer also tells {@code afterCommit} of each data commit (auto compaction), or null.
   */
  public static DataStreamSink<?> write(
      DataStream<RowData> rows,
      DeltaWriteSpec spec,
      String uidPrefix,
      CommitProgress progress,
      AfterCommit afterCommit) {
    return write(rows, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES, progress, afterCommit);
  }

  private static DataStreamSink<?> write(
      DataStream<RowData> rows,
      DeltaWriteSpec spec,
      String uidPrefix,
      long targetFileBytes,
      CommitProgress progress,
      AfterCommit afterCommit) {
    StreamExecutionEnvironment env = rows.getExecutionEnvironment();
    boolean batch =
        env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
    boolean commitAtEnd = batch || !env.getCheckpointConfig().isCheckpointingEnabled();
    long endOfInputEpoch = 0;
    if (commitAtEnd && spec.mode() == DeltaWriteSpec.WriteMode.APPEND) {
      // fixed now, so every attempt of the committer in this job commits the same transaction
      endOfInputEpoch =
          new DeltaTableCommitter(KernelEngine.create(spec.hadoopConf()), spec)
                  .latestTransactionVersion()
                  .orElse(0)
              + 1;
    }
    SingleOutputStreamOperator<byte[]> files =
        rows.transform(
                "Delta writer " + spec.tablePath(),
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new DeltaWriterOperator(spec, targetFileBytes))
            .uid(uidPrefix + "-writer");
    SingleOutputStreamOperator<Void> committed =
        SingleInstance.of(
            files
                .transform(
                    "Delta committer " + spec.tablePath(),
                    Types.VOID,
                    new DeltaCommitterOperator(
                        spec, commitAtEnd, endOfInputEpoch, progress, afterCommit))
                .uid(uidPrefix + "-committer"));
    return committed.sinkTo(new DiscardingSink<>()).uid(uidPrefix + "-end").setParallelism(1);
  }

  /**
   * Applies a changelog to a keyed Delta table exactly once (spec mode {@link
   * DeltaWriteSpec.WriteMode#UPSERT}): INSERT and UPDATE_AFTER rows upsert by the spec's key columns,
   * DELETE rows delete, UPDATE_BEFORE rows are ignored. Each epoch rewrites only the hash buckets its
   * keys fall in and commits all of them in one Delta commit (see {@link DeltaUpsertWriterOperator}).
   *
   * <pre>{@code
   * DataStream<RowData> changelog = ...; // e.g. the cdc module's SCD1 output
   * DeltaSink.upsert(changelog,
   *     DeltaWriteSpec.upsert(path, rowType, appId, List.of("customer_id")), "dim_customers");
   * }</pre>
   *
   * <p>Uids as for {@link #write}; the rows are keyed by bucket on the way to the writers. STREAMING
   * execution only.
   *
   * @throws DeltaTableException if the table exists with another bucket count
   */
  public static DataStreamSink<?> upsert(
      DataStream<RowData> changelog, DeltaWriteSpec spec, String uidPrefix) {
    return upsert(changelog, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES);
  }

  /** As {@link #upsert(DataStream, DeltaWriteSpec, String)}, rolling files at {@code targetFileBytes}. */
  public static DataStreamSink<?> upsert(
      DataStream<RowData> changelog, DeltaWriteSpec spec, String uidPrefix, long targetFileBytes) {
    return upsert(changelog, spec, uidPrefix, targetFileBytes, null);
  }

  /** As {@link #upsert(DataStream, DeltaWriteSpec, String)}, the committer logging {@code progress}'s events. */
  public static DataStreamSink<?> upsert(
      DataStream<RowData> changelog,
      DeltaWriteSpec spec,
      String uidPrefix,
      CommitProgress progress) {
    return upsert(changelog, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES, progress);
  }

  private static DataStreamSink<?> upsert(
      DataStream<RowData> changelog,
      DeltaWriteSpec spec,
      String uidPrefix,
      long targetFileBytes,
      CommitProgress progress) {
    if (spec.mode() != DeltaWriteSpec.WriteMode.UPSERT) {
      throw new IllegalArgumentException(
          "DeltaSink.upsert needs an UPSERT spec (DeltaWriteSpec.upsert),"
              + " got "
              + spec.mode()
              + " for table "
              + spec.tablePath()
              + "; use DeltaSink.write for it");
    }
    StreamExecutionEnvironment env = changelog.getExecutionEnvironment();
    if (env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH) {
      throw new IllegalArgumentException(
          "Table "
              + spec.tablePath()
              + ": upserts need STREAMING"
              + " execution (a keyed table is rewritten bucket by bucket from keyed state); run the job"
              + " in STREAMING mode");
    }
    DeltaTableCommitter committer =
        new DeltaTableCommitter(KernelEngine.create(spec.hadoopConf()), spec);
    committer.checkBuckets();
    long endOfInputEpoch = 0;
    boolean commitAtEnd = !env.getCheckpointConfig().isCheckpointingEnabled();
    if (commitAtEnd) {
      endOfInputEpoch = committer.latestTransactionVersion().orElse(0) + 1;
    }
    SingleOutputStreamOperator<byte[]> changes =
        changelog
            .keyBy(new BucketSelector(spec))
            .transform(
                "Delta upsert writer " + spec.tablePath(),
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new DeltaUpsertWriterOperator(
                    spec, targetFileBytes, committer.usesDeletionVectors()))
            .uid(uidPrefix + "-writer");
    SingleOutputStreamOperator<Void> committed =
        SingleInstance.of(
            changes
                .transform(
                    "Delta committer " + spec.tablePath(),
                    Types.VOID,
                    new DeltaCommitterOperator(spec, commitAtEnd, endOfInputEpoch, progress, null))
                .uid(uidPrefix + "-committer"));
    return committed.sinkTo(new DiscardingSink<>()).uid(uidPrefix + "-end").setParallelism(1);
  }

  /** A row's hash bucket, the key the upsert writers are partitioned by. */
  static final class BucketSelector implements KeySelector<RowData, Integer> {
    private static final long serialVersionUID = 1L;
    private final DeltaWriteSpec spec;
    private transient BucketKeys keys;

    BucketSelector(DeltaWriteSpec spec) {
      this.spec = spec;
    }

    @Override
    public Integer getKey(RowData row) {
      if (keys == null) {
        keys = BucketKeys.of(spec);
      }
      return keys.bucket(row);
    }
  }
}
