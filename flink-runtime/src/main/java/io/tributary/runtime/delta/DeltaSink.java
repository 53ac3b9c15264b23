package io.tributary.runtime.delta;

import io.delta.kernel.defaults.engine.DefaultEngine;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.RowData;
import org.apache.hadoop.conf.Configuration;

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

  public static DataStreamSink<?> write(DataStream<RowData> rows, DeltaWriteSpec spec, String uidPrefix) {
    return write(rows, spec, uidPrefix, DeltaWriteSpec.TARGET_FILE_BYTES);
  }

  /** As {@link #write(DataStream, DeltaWriteSpec, String)}, rolling files at {@code targetFileBytes}. */
  public static DataStreamSink<?> write(DataStream<RowData> rows, DeltaWriteSpec spec, String uidPrefix,
                                        long targetFileBytes) {
    StreamExecutionEnvironment env = rows.getExecutionEnvironment();
    boolean batch = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
    boolean commitAtEnd = batch || !env.getCheckpointConfig().isCheckpointingEnabled();
    long endOfInputEpoch = 0;
    if (commitAtEnd && spec.mode() == DeltaWriteSpec.WriteMode.APPEND) {
      // fixed now, so every attempt of the committer in this job commits the same transaction
      endOfInputEpoch = new DeltaTableCommitter(DefaultEngine.create(new Configuration()), spec)
          .latestTransactionVersion().orElse(0) + 1;
    }
    SingleOutputStreamOperator<byte[]> files = rows
        .transform("Delta writer " + spec.tablePath(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
            new DeltaWriterOperator(spec, targetFileBytes))
        .uid(uidPrefix + "-writer");
    SingleOutputStreamOperator<Void> committed = files
        .transform("Delta committer " + spec.tablePath(), Types.VOID,
            new DeltaCommitterOperator(spec, commitAtEnd, endOfInputEpoch))
        .uid(uidPrefix + "-committer")
        .setParallelism(1)
        .setMaxParallelism(1);
    return committed.sinkTo(new DiscardingSink<>()).uid(uidPrefix + "-end").setParallelism(1);
  }
}
