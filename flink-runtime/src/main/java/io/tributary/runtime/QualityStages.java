package io.tributary.runtime;

import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.quality.ExpectationEvaluator;
import io.tributary.quality.ExpectationOperator;
import io.tributary.quality.Expectations;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobTranslator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * A dataset's expectations in its job: Flink's planner computes one flag per constraint
 * ({@link Expectations#apply}), then {@link ExpectationOperator} counts, drops or fails, and strips
 * the flags.
 */
final class QualityStages implements JobTranslator.FlowStages {

  @Override
  public DataStream<RowData> expectations(StreamTableEnvironment tableEnv, JobContext job, DatasetSpec dataset,
      DataStream<RowData> rows, RowType rowType) {
    Table flagged = Expectations.apply(tableEnv.fromDataStream(rows), dataset.expectations());
    DataStream<RowData> flaggedRows = tableEnv.toDataStream(flagged,
        flagged.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class));
    return flaggedRows
        .transform(dataset.name() + ": expectations", InternalTypeInfo.of(rowType),
            new ExpectationOperator(ExpectationEvaluator.of(job.pipeline(), dataset.name(), dataset.expectations()),
                rowType))
        .uid(job.uid(dataset.name(), "expectations"));
  }
}
