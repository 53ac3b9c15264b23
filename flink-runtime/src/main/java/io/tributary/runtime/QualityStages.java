package io.tributary.runtime;

import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.quality.ExpectationEvaluator;
import io.tributary.quality.ExpectationOperator;
import io.tributary.quality.Expectations;
import io.tributary.runtime.eventlog.DataQualityEventOperator;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobTranslator;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * A dataset's expectations in its job: Flink's planner computes one flag per constraint
 * ({@link Expectations#apply}), then {@link ExpectationOperator} counts, drops or fails, and strips
 * the flags. Each epoch's counts go to a {@link DataQualityEventOperator}, which logs them in the
 * event log when the epoch's checkpoint completes.
 */
final class QualityStages implements JobTranslator.FlowStages {

  private final PipelineStorage storage;

  QualityStages(PipelineStorage storage) {
    this.storage = storage;
  }

  @Override
  public DataStream<RowData> expectations(StreamTableEnvironment tableEnv, JobContext job, DatasetSpec dataset,
      DataStream<RowData> rows, RowType rowType) {
    Table flagged = Expectations.apply(tableEnv.fromDataStream(rows), dataset.expectations());
    DataStream<RowData> flaggedRows = tableEnv.toDataStream(flagged,
        flagged.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class));
    SingleOutputStreamOperator<RowData> checked = flaggedRows
        .transform(dataset.name() + ": expectations", InternalTypeInfo.of(rowType),
            new ExpectationOperator(ExpectationEvaluator.of(job.pipeline(), dataset.name(), dataset.expectations()),
                rowType))
        .uid(job.uid(dataset.name(), "expectations"));
    checked.getSideOutput(ExpectationOperator.DATA_QUALITY)
        .transform(dataset.name() + ": data quality events", Types.VOID,
            new DataQualityEventOperator(storage.eventsDir(), job.pipeline(), job.updateId(), job.updateNumber(),
                dataset.name()))
        .uid(job.uid(dataset.name(), "data-quality-events"))
        .setParallelism(1)
        .setMaxParallelism(1)
        .sinkTo(new DiscardingSink<>())
        .uid(job.uid(dataset.name(), "data-quality-events-end"))
        .setParallelism(1);
    return checked;
  }
}
