package io.tributary.runtime.translate;

import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Expectation;
import io.tributary.quality.ExpectationEvaluator;
import io.tributary.quality.ExpectationOperator;
import io.tributary.quality.Expectations;
import io.tributary.runtime.delta.write.SingleInstance;
import io.tributary.runtime.eventlog.FlowMetrics;
import io.tributary.runtime.eventlog.FlowProgressOperator;
import io.tributary.runtime.eventlog.RowCountOperator;
import io.tributary.runtime.eventlog.UpdateEvents;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.OutputTag;

/**
 * A dataset's expectations in its job: Flink's planner computes one flag per constraint
 * ({@link Expectations#apply}), then {@link ExpectationOperator} counts, drops or fails, and strips
 * the flags. Before the write, {@link RowCountOperator} counts each epoch's rows; rows and expectation
 * counts go to one {@link FlowProgressOperator} per flow, which logs them in the event log when the
 * epoch's checkpoint completes.
 */
public final class QualityStages implements JobTranslator.FlowStages {

  private final PipelineStorage storage;

  // One instance serves every job of the runtime, and jobs side by side are translated on their own
  // threads at once: both maps are concurrent. With plain maps a put racing another job's could be
  // lost, and the flow then lost its expectation counts (its update logged no data quality for it)
  // or its quarantined rows.

  /** Expectation counts made by {@link #expectations}, waiting for {@link #written} of the same flow. */
  private final Map<String, DataStream<FlowMetrics>> quality = new ConcurrentHashMap<>();

  /** Dropped rows made by {@link #expectations}, waiting for {@link #quarantined} of the same flow. */
  private final Map<String, DataStream<RowData>> quarantine = new ConcurrentHashMap<>();

  public QualityStages(PipelineStorage storage) {
    this.storage = storage;
  }

  @Override
  public DataStream<RowData> expectations(
      StreamTableEnvironment tableEnv,
      JobContext job,
      DatasetSpec dataset,
      DataStream<RowData> rows,
      RowType rowType) {
    // uniqueness flags come from keyed state, SQL flags from the planner; the evaluator reads them
    // in that order after the dataset's own columns
    List<Expectation> unique =
        dataset.expectations().stream().filter(Expectation::isUnique).toList();
    List<Expectation> constraints =
        dataset.expectations().stream().filter(e -> !e.isUnique()).toList();
    List<RowType.RowField> fields = new ArrayList<>(rowType.getFields());
    for (int i = 0; i < unique.size(); i++) {
      fields.add(new RowType.RowField("__unique_" + i, new BooleanType(false)));
      RowType flaggedType = new RowType(List.copyOf(fields));
      rows =
          rows.keyBy(new RowKeySelector(rowType, unique.get(i).uniqueKey()), RowKeySerializer.TYPE)
              .process(new UniqueKeyFlagFunction(), InternalTypeInfo.of(flaggedType))
              .name(dataset.name() + ": " + unique.get(i).name())
              .uid(job.uid(dataset.name(), unique.get(i).name()));
    }
    List<Expectation> ordered = new ArrayList<>(unique);
    ordered.addAll(constraints);
    Table flagged = Expectations.apply(tableEnv.fromDataStream(rows), constraints);
    DataStream<RowData> flaggedRows =
        tableEnv.toDataStream(
            flagged, flagged.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class));
    SingleOutputStreamOperator<RowData> checked =
        flaggedRows
            .transform(
                dataset.name() + ": expectations",
                InternalTypeInfo.of(rowType),
                new ExpectationOperator(
                    ExpectationEvaluator.of(job.pipeline(), dataset.name(), ordered),
                    rowType,
                    dataset.quarantine()))
            .uid(job.uid(dataset.name(), "expectations"));
    if (dataset.quarantine()) {
      // the operator's tag, typed here with the quarantine rows' own serializer
      OutputTag<RowData> tag =
          new OutputTag<>(
              ExpectationOperator.QUARANTINE.getId(),
              InternalTypeInfo.of(ExpectationOperator.quarantineType(rowType)));
      quarantine.put(key(job, dataset), checked.getSideOutput(tag));
    }
    quality.put(
        key(job, dataset),
        checked
            .getSideOutput(ExpectationOperator.DATA_QUALITY)
            .map(FlowMetrics::quality, FlowMetrics.TYPE)
            .name(dataset.name() + ": data quality")
            .uid(job.uid(dataset.name(), "data-quality")));
    return checked;
  }

  @Override
  public java.util.Optional<DataStream<RowData>> quarantined(JobContext job, DatasetSpec dataset) {
    return java.util.Optional.ofNullable(quarantine.remove(key(job, dataset)));
  }

  @Override
  public DataStream<RowData> written(
      JobContext job, DatasetSpec dataset, DataStream<RowData> rows) {
    SingleOutputStreamOperator<RowData> counted =
        rows.transform(
                dataset.name() + ": row count",
                rows.getType(),
                new RowCountOperator(dataset.name()))
            .uid(job.uid(dataset.name(), "row-count"));
    DataStream<FlowMetrics> metrics = counted.getSideOutput(RowCountOperator.METRICS);
    DataStream<FlowMetrics> expectations = quality.remove(key(job, dataset));
    if (expectations != null) {
      metrics = metrics.union(expectations);
    }
    logProgress(job, job.flowName(dataset.name()), dataset.name(), dataset.name(), metrics);
    return counted;
  }

  /** Counts an append flow's rows before they join its table's other flows: its own flow_progress. */
  @Override
  public DataStream<RowData> appended(
      JobContext job, String flow, DatasetSpec target, DataStream<RowData> rows) {
    SingleOutputStreamOperator<RowData> counted =
        rows.transform(flow + ": row count", rows.getType(), new RowCountOperator(flow))
            .uid(job.uid(flow, "row-count"));
    logProgress(job, flow, target.name(), flow, counted.getSideOutput(RowCountOperator.METRICS));
    return counted;
  }

  private void logProgress(
      JobContext job,
      String flow,
      String dataset,
      String uidName,
      DataStream<FlowMetrics> metrics) {
    SingleInstance.of(
            metrics
                .transform(
                    flow + ": flow progress events",
                    Types.VOID,
                    new FlowProgressOperator(UpdateEvents.of(storage, job), flow, dataset))
                .uid(job.uid(uidName, "flow-progress")))
        .sinkTo(new DiscardingSink<>())
        .uid(job.uid(uidName, "flow-progress-end"))
        .setParallelism(1);
  }

  private static String key(JobContext job, DatasetSpec dataset) {
    return job.updateId() + "/" + job.job().name() + "/" + dataset.name();
  }
}
