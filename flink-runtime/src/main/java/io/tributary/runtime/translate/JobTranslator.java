package io.tributary.runtime.translate;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.Scd1Function;
import io.tributary.cdc.Scd2Function;
import io.tributary.cdc.SnapshotChanges;
import io.tributary.cdc.SnapshotDiffOperator;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import io.tributary.runtime.analysis.SnapshotQueryContext;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.quality.ConstraintSql;
import io.tributary.quality.ExpectationOperator;
import org.apache.flink.table.api.ApiExpression;
import org.apache.flink.table.api.Expressions;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.runtime.analysis.EventTime;
import io.tributary.runtime.analysis.PlanTables;
import io.tributary.runtime.analysis.ResolvedPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.config.AggregatePhaseStrategy;
import org.apache.flink.table.api.config.OptimizerConfigOptions;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * Makes one {@link PlannedJob} a Flink graph. Each dataset's query runs through Flink's Table API
 * (the same program the analyzer checked); then, on the job's {@code RowData} stream,
 * {@code dropDuplicates}, the expectations, and the write. A streaming table read as a stream by
 * another table of the same job hands its committed rows over inside the job.
 */
public final class JobTranslator {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobTranslator.class);

  /**
   * The configuration key of how often a lookup join checks its table for a newer version (a Flink
   * duration such as {@code 1 s} or {@code 500 ms}; default 1 s).
   */
  public static final String LOOKUP_REFRESH_INTERVAL = "pipelines.lookup.refreshInterval";

  /** The configuration key of the tombstone retention of SCD type 1 targets, in seconds. */
  public static final String TOMBSTONE_RETENTION = "pipelines.cdc.tombstoneGCThresholdInSeconds";

  private final ResolvedPlan plan;
  private final JobIo io;
  private final FlowStages stages;

  /** The per-row steps between a dataset's query and its write, such as expectations. */
  public interface FlowStages {
    /** Applies {@code dataset}'s expectations to its query's table and returns the rows to write. */
    DataStream<RowData> expectations(StreamTableEnvironment tableEnv, JobContext job, DatasetSpec dataset,
        DataStream<RowData> rows, RowType rowType);

    /**
     * The rows {@code dataset}'s expectations dropped, each with {@code _failed_expectations}, when the
     * dataset asks for {@code quarantine()}; called after {@link #expectations}.
     */
    default java.util.Optional<DataStream<RowData>> quarantined(JobContext job, DatasetSpec dataset) {
      return java.util.Optional.empty();
    }

    /** Sees the rows about to be written to {@code dataset} (to count them) and returns the rows to write. */
    default DataStream<RowData> written(JobContext job, DatasetSpec dataset, DataStream<RowData> rows) {
      return rows;
    }

    /** Sees the rows append flow {@code flow} produces for {@code target} (to count them) and returns them. */
    default DataStream<RowData> appended(JobContext job, String flow, DatasetSpec target, DataStream<RowData> rows) {
      return rows;
    }
  }

  public JobTranslator(ResolvedPlan plan, JobIo io, FlowStages stages) {
    this.plan = plan;
    this.io = io;
    this.stages = stages;
  }

  /** The Flink settings of a job of this plan. */
  public static Configuration configuration(PlannedJob job, int parallelism, Duration checkpointInterval) {
    Configuration conf = new Configuration();
    boolean streaming = job.mode() == PlannedJob.Mode.STREAMING;
    conf.set(ExecutionOptions.RUNTIME_MODE, streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
    conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    conf.set(PipelineOptions.NAME, job.name());
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    if (streaming) {
      conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
    } else {
      // Flink 2.3's merging HashAggregate (the global half of a two-phase aggregation) returns NULL
      // for AVG in most groups once its hash map outgrows its managed memory and it falls back to
      // sort-based aggregation (spilling), e.g. COUNT(DISTINCT) + AVG, whose Expand makes ~1M groups
      // of the benchmark's 1M events. One-phase aggregation has no merging operator; its own
      // fallback is correct (checked at 3M groups with spilling). See BatchAggregationITCase.
      conf.set(OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY, AggregatePhaseStrategy.ONE_PHASE);
    }
    return conf;
  }

  /** Translates {@code context.job()} into a graph on an environment configured by {@code conf}. */
  public TranslatedJob translate(JobContext context, Configuration conf) {
    // An applyChangesFromSnapshot job runs to the end of its snapshots like a BATCH job, but in
    // STREAMING execution without checkpoints, which the Delta sink's upserts need: one commit at the end.
    boolean snapshotJob = context.job().datasets().stream()
        .anyMatch(d -> plan.plan().snapshotChangesInto(d).isPresent());
    if (snapshotJob) {
      conf = new Configuration(conf);
      conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    EnvironmentSettings settings = context.bounded() && !snapshotJob
        ? EnvironmentSettings.inBatchMode() : EnvironmentSettings.inStreamingMode();
    StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env, settings);
    JobTables tables = new JobTables(env, tableEnv, context);
    PlanTables planTables = new PlanTables(tableEnv, name -> plan.plan().dataset(name).orElseThrow(),
        plan.plan()::queryInputsOf, plan.plan().configuration(), tables);

    for (String member : context.job().datasets()) {
      // a once job's member is its flow; it writes the flow's target
      String name = context.job().once() ? plan.plan().appendFlow(member).orElseThrow().target().orElseThrow()
          : member;
      DatasetSpec dataset = plan.plan().dataset(name).orElseThrow();
      Optional<SnapshotChangesSpec> snapshotFlow = plan.plan().snapshotChangesInto(name);
      if (snapshotFlow.isPresent()) {
        snapshotChanges(env, tableEnv, planTables, context, dataset, snapshotFlow.get());
        continue;
      }
      if (plan.plan().isApplyChangesTarget(name)) {
        applyChanges(tableEnv, planTables, context, dataset);
        continue;
      }
      RowType rowType = EventTime.physical(plan.schema(name));
      DataStream<RowData> rows = queryRows(tableEnv, planTables, context, dataset, rowType);
      if (!dataset.dropDuplicatesKeys().isEmpty()) {
        rows = rows.keyBy(new RowKeySelector(rowType, dataset.dropDuplicatesKeys()))
            .process(new DropDuplicatesFunction(), InternalTypeInfo.of(rowType))
            .name(name + ": drop duplicates " + dataset.dropDuplicatesKeys())
            .uid(context.uid(name, "dedup"));
      }
      if (!dataset.expectations().isEmpty()) {
        rows = stages.expectations(tableEnv, context, dataset, rows, rowType);
        stages.quarantined(context, dataset).ifPresent(dropped -> io.write(dropped, context,
            DatasetSpec.of(dataset.quarantineTable(), dataset.kind(), false)
                .withComment("Rows the expectations of " + dataset.name() + " dropped"),
            ExpectationOperator.quarantineType(rowType)));
      }
      rows = stages.written(context, dataset, rows);
      io.write(rows, context, dataset, rowType);
      if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
        // rows read on from this table keep its event time, with the watermarks the stream carries
        tables.streams.put(name, tableEnv.fromDataStream(rows,
            EventTime.schema(rowType, EventTime.rowtimeColumn(plan.schema(name)), "SOURCE_WATERMARK()")));
      }
    }
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(plan.plan().pipeline() + ": " + context.job().name());
    return new TranslatedJob(context.job(), graph, tables.caughtUpIds);
  }

  /**
   * The rows of {@code dataset}'s flows: its own query, and the append flows into it that this job
   * runs, each flow's columns put in the table's order and counted as the flow's, then unioned.
   */
  private DataStream<RowData> queryRows(StreamTableEnvironment tableEnv, PlanTables planTables, JobContext context,
      DatasetSpec dataset, RowType rowType) {
    List<AppendFlowSpec> flows = context.job().flows().stream().map(f -> plan.plan().appendFlow(f).orElseThrow())
        .filter(f -> f.writes(dataset.name())).toList();
    if (flows.isEmpty()) {
      return toStream(tableEnv, planTables.build(dataset), rowType);
    }
    List<DataStream<RowData>> parts = new ArrayList<>();
    if (!context.job().once() && dataset.query().isPresent()) {
      parts.add(toStream(tableEnv, inOrderOf(planTables.build(dataset), rowType), rowType));
    }
    for (AppendFlowSpec flow : flows) {
      DataStream<RowData> part = toStream(tableEnv, inOrderOf(planTables.build(flow.asDataset()), rowType), rowType);
      // a once job's rows are all its flow's: its table-level count names the flow already
      parts.add(context.job().once() ? part : stages.appended(context, flow.name(), dataset, part));
    }
    DataStream<RowData> rows = parts.get(0);
    for (DataStream<RowData> part : parts.subList(1, parts.size())) {
      rows = rows.union(part);
    }
    return rows;
  }

  private static Table inOrderOf(Table table, RowType rowType) {
    return table.select(rowType.getFieldNames().stream().map(Expressions::$).toArray(ApiExpression[]::new));
  }

  /**
   * An applyChanges flow: the planner computes the delete and truncate flags from the user's SQL
   * conditions, then the cdc module's keyed functions merge the changes by key and sequence, and
   * the target's Delta table applies the resulting changelog by key (one commit per epoch).
   */
  private void applyChanges(StreamTableEnvironment tableEnv, PlanTables planTables, JobContext context,
      DatasetSpec target) {
    ApplyChangesSpec spec = plan.plan().applyChanges().stream().filter(a -> a.target().equals(target.name()))
        .findFirst().orElseThrow();
    String source = spec.source().orElseThrow();
    RowType sourceType = plan.schema(source);
    CdcLayout layout = CdcLayout.of(spec, sourceType);
    Table flagged = planTables.stream(source).addColumns(
        flag(spec.applyAsDeletes(), sourceType).as(CdcLayout.IS_DELETE),
        flag(spec.applyAsTruncates(), sourceType).as(CdcLayout.IS_TRUNCATE));
    DataStream<RowData> changes = toStream(tableEnv, flagged, layout.inputType());
    io.writeChanges(stages.written(context, target, merge(changes, layout, context, target)), context, target,
        layout.targetType(), layout.targetKeyColumns());
  }

  /**
   * The changelog of {@code target}'s rows from a change feed (rows of {@code layout.inputType()}):
   * the cdc module's keyed functions merge the changes by key and sequence, whatever their order.
   */
  private DataStream<RowData> merge(DataStream<RowData> changes, CdcLayout layout, JobContext context,
      DatasetSpec target) {
    DataStream<RowData> merged;
    if (layout.scdType() == 1) {
      int truncate = layout.isTruncateIndex();
      DataStream<RowData> truncates = changes.filter(row -> row.getBoolean(truncate))
          .name(target.name() + ": truncates").uid(context.uid(target.name(), "truncates"));
      merged = changes.filter(row -> !row.getBoolean(truncate))
          .name(target.name() + ": changes").uid(context.uid(target.name(), "changes"))
          .keyBy(layout.keySelector(), layout.keyTypeInfo())
          .connect(truncates.broadcast(Scd1Function.truncateStateDescriptor(layout)))
          .process(new Scd1Function(layout, tombstoneRetention()), layout.targetTypeInfo())
          .name(target.name() + ": apply changes (SCD type 1)").uid(context.uid(target.name(), "scd1"));
    } else {
      merged = changes.keyBy(layout.keySelector(), layout.keyTypeInfo())
          .process(new Scd2Function(layout), layout.targetTypeInfo())
          .name(target.name() + ": apply changes (SCD type 2)").uid(context.uid(target.name(), "scd2"));
    }
    return merged;
  }

  /**
   * An applyChangesFromSnapshot flow: the snapshots not applied yet (the source dataset's, or those
   * its function returns after the version the target's last commit recorded), joined by key with
   * the target's current rows and diffed by {@link SnapshotDiffOperator}; the diffs are a change feed
   * sequenced by snapshot version, merged and written as {@link #applyChanges} does. The last
   * version goes into the target's properties in the same Delta commit as its rows, so a crash
   * before the commit re-applies it and one after does not.
   */
  private void snapshotChanges(StreamExecutionEnvironment env, StreamTableEnvironment tableEnv,
      PlanTables planTables, JobContext context, DatasetSpec target, SnapshotChangesSpec spec) {
    String name = target.name();
    RowType targetType = plan.schema(name);
    Optional<Map<String, String>> properties = io.tableProperties(context, name);
    Optional<Long> applied = properties.map(p -> p.get(SnapshotChanges.VERSION_PROPERTY)).map(Long::parseLong);
    List<SnapshotFunction.Snapshot> snapshots = new ArrayList<>();
    if (spec.sourceDataset().isPresent()) {
      snapshots.add(SnapshotFunction.snapshot(planTables.snapshot(spec.sourceDataset().get()),
          applied.orElse(0L) + 1));
    } else {
      SnapshotQueryContext ctx = new SnapshotQueryContext(name, tableEnv, plan.plan().configuration());
      Optional<Long> latest = applied;
      for (Optional<SnapshotFunction.Snapshot> next = spec.sourceFunction().orElseThrow().next(ctx, latest);
           next.isPresent(); next = spec.sourceFunction().get().next(ctx, latest)) {
        long version = next.get().version();
        if (latest.isPresent() && version <= latest.get()) {
          LOG.warn("applyChangesFromSnapshot into '{}': the snapshot function returned version {} after version {};"
              + " skipped, and no further snapshot is asked for in this update", name, version, latest.get());
          break;
        }
        snapshots.add(next.get());
        latest = Optional.of(version);
      }
    }
    if (snapshots.isEmpty()) {
      // nothing new: an empty changelog, which commits nothing (or creates the table on the first update)
      CdcLayout layout = targetLayout(spec, targetType);
      io.writeChanges(empty(env, layout.targetTypeInfo(), name + ": no new snapshot"),
          context, target, layout.targetType(), layout.targetKeyColumns());
      return;
    }
    RowType snapshotType = EventTime.physical(EventTime.rowType(snapshots.get(0).rows().getResolvedSchema()));
    SnapshotChanges changes = SnapshotChanges.of(spec, snapshotType);
    if (!changes.layout().targetType().equals(targetType)) {
      throw new IllegalArgumentException("applyChangesFromSnapshot into '" + name + "': snapshot version "
          + snapshots.get(0).version() + " makes target columns " + changes.layout().targetType() + ", but the"
          + " pipeline was analyzed with " + targetType + ". Keep every snapshot's columns the same.");
    }
    long[] versions = new long[snapshots.size()];
    DataStream<RowData> diffInput;
    if (properties.isPresent()) {
      diffInput = io.readSnapshot(env, context, name, targetType).rows()
          .filter(changes::isCurrent).name(name + ": current rows")
          .map(changes.previousRow(), changes.diffTypeInfo()).name(name + ": previous snapshot");
    } else {
      diffInput = empty(env, changes.diffTypeInfo(), name + ": no previous snapshot");
    }
    for (int i = 0; i < snapshots.size(); i++) {
      SnapshotFunction.Snapshot snapshot = snapshots.get(i);
      RowType type = EventTime.physical(EventTime.rowType(snapshot.rows().getResolvedSchema()));
      if (!type.equals(snapshotType)) {
        throw new IllegalArgumentException("applyChangesFromSnapshot into '" + name + "': snapshot version "
            + snapshot.version() + " has columns " + type + ", unlike version " + snapshots.get(0).version()
            + " with " + snapshotType + ". Keep every snapshot's columns the same.");
      }
      long version = snapshot.version();
      versions[i] = version;
      diffInput = diffInput.union(toStream(tableEnv, snapshot.rows(), snapshotType)
          .map(row -> changes.snapshotRow(row, version), changes.diffTypeInfo())
          .name(name + ": snapshot " + version));
    }
    CdcLayout layout = changes.layout();
    DataStream<RowData> feed = diffInput.keyBy(layout.keySelector(), layout.keyTypeInfo())
        .transform(name + ": diff snapshots " + java.util.Arrays.toString(versions), changes.feedTypeInfo(),
            new SnapshotDiffOperator(changes, versions))
        .uid(context.uid(name, "snapshot-diff"));
    DatasetSpec recorded = target.withProperty(SnapshotChanges.VERSION_PROPERTY,
        Long.toString(versions[versions.length - 1]));
    io.writeChanges(stages.written(context, target, merge(feed, layout, context, target)), context, recorded,
        layout.targetType(), layout.targetKeyColumns());
  }

  /** A stream of no rows (Flink's collection source refuses an empty collection). */
  private static DataStream<RowData> empty(StreamExecutionEnvironment env, InternalTypeInfo<RowData> type,
      String name) {
    return env.fromData(0).name(name)
        .flatMap((Integer ignored, org.apache.flink.util.Collector<RowData> out) -> { }, type).name(name);
  }

  /** The layout of a snapshot flow whose snapshots are not at hand, from the target's analyzed columns. */
  private static CdcLayout targetLayout(SnapshotChangesSpec spec, RowType targetType) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : targetType.getFields()) {
      if (!field.getName().equals(CdcLayout.START_AT) && !field.getName().equals(CdcLayout.END_AT)) {
        fields.add(field);
      }
    }
    SnapshotChangesSpec columns = spec.withColumnList(List.of()).withExceptColumnList(List.of());
    return SnapshotChanges.of(columns, new RowType(fields)).layout();
  }

  private static ApiExpression flag(java.util.Optional<String> condition, RowType columns) {
    return condition
        .map(c -> Expressions.callSql("(" + ConstraintSql.toFlinkSql(c, columns.getFieldNames()) + "\n) IS TRUE"))
        .orElse(Expressions.lit(false));
  }

  /** How often a lookup join checks its table for a newer version, as {@link #LOOKUP_REFRESH_INTERVAL}. */
  private Duration lookupRefreshInterval() {
    String value = plan.plan().configuration().getOrDefault(LOOKUP_REFRESH_INTERVAL, "1 s");
    try {
      return org.apache.flink.util.TimeUtils.parseDuration(value.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Pipeline '" + plan.plan().pipeline() + "': " + LOOKUP_REFRESH_INTERVAL
          + " is '" + value + "'. Set it to a duration, such as 1 s or 500 ms.");
    }
  }

  /** How long a deleted key's tombstone is kept, as DLT's {@code pipelines.cdc.tombstoneGCThresholdInSeconds}. */
  private Duration tombstoneRetention() {
    String seconds = plan.plan().configuration().getOrDefault(TOMBSTONE_RETENTION, "172800");
    try {
      return Duration.ofSeconds(Long.parseLong(seconds.strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Pipeline '" + plan.plan().pipeline() + "': " + TOMBSTONE_RETENTION
          + " is '" + seconds + "'. Set it to a number of seconds, such as 172800 (two days).");
    }
  }

  static DataStream<RowData> toStream(StreamTableEnvironment tableEnv, Table table, RowType rowType) {
    return tableEnv.toDataStream(table,
        TypeConversions.fromLogicalToDataType(EventTime.physical(rowType)).bridgedTo(RowData.class));
  }

  /** The persisted tables of one job: sources, snapshots and in-job streams, each made once. */
  private final class JobTables implements PlanTables.PersistedTables {
    private final StreamExecutionEnvironment env;
    private final StreamTableEnvironment tableEnv;
    private final JobContext context;
    private final Map<String, Table> streams = new HashMap<>();
    private final Map<String, Table> snapshots = new HashMap<>();
    private final java.util.Set<String> lookups = new java.util.HashSet<>();
    private final List<String> caughtUpIds = new ArrayList<>();

    JobTables(StreamExecutionEnvironment env, StreamTableEnvironment tableEnv, JobContext context) {
      this.env = env;
      this.tableEnv = tableEnv;
      this.context = context;
    }

    @Override
    public Table snapshot(String dataset) {
      return snapshots.computeIfAbsent(dataset, name -> {
        JobIo.SourceStream source = io.readSnapshot(env, context, name, EventTime.physical(plan.schema(name)));
        source.caughtUpId().ifPresent(caughtUpIds::add);
        return tableEnv.fromDataStream(source.rows());
      });
    }

    @Override
    public Table stream(String dataset) {
      Table table = streams.get(dataset);
      if (table == null) {
        throw new IllegalStateException("stream of " + dataset + " is read before it is translated in job "
            + context.job().name());
      }
      return table;
    }

    /** A lookup reads the table through its connector, not a source of this job: no stream, no state. */
    @Override
    public String lookup(String dataset) {
      String name = PlanTables.lookupTableName(dataset);
      if (lookups.add(dataset)) {
        tableEnv.createTemporaryTable(name, io.lookupTable(context, dataset, EventTime.physical(plan.schema(dataset)),
            lookupRefreshInterval()));
      }
      return name;
    }

    @Override
    public Table source(String dataset, Source source) {
      RowType rowType = plan.schema(dataset);
      JobIo.SourceStream stream = io.readSource(env, context, dataset, source, EventTime.physical(rowType));
      stream.caughtUpId().ifPresent(caughtUpIds::add);
      return tableEnv.fromDataStream(stream.rows(),
          EventTime.schema(rowType, EventTime.rowtimeColumn(rowType), "SOURCE_WATERMARK()"));
    }
  }
}
