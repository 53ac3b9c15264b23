package io.tributary.runtime.translate;

import io.tributary.dsl.Source;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Flow;
import io.tributary.quality.ExpectationOperator;
import io.tributary.runtime.analysis.EventTime;
import io.tributary.runtime.analysis.PlanTables;
import io.tributary.runtime.analysis.Refresh;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.table.api.ApiExpression;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Expressions;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.AggregatePhaseStrategy;
import org.apache.flink.table.api.config.OptimizerConfigOptions;
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

  private final ResolvedPlan plan;
  private final JobIo io;
  private final FlowStages stages;
  private final PipelineSettings settings;
  private final ApplyChangesTranslator applyChanges;
  private final SnapshotChangesTranslator snapshotChanges;

  /** The per-row steps between a dataset's query and its write, such as expectations. */
  public interface FlowStages {
    /** Applies {@code dataset}'s expectations to its query's table and returns the rows to write. */
    DataStream<RowData> expectations(
        StreamTableEnvironment tableEnv,
        JobContext job,
        DatasetSpec dataset,
        DataStream<RowData> rows,
        RowType rowType);

    /**
     * The rows {@code dataset}'s expectations dropped, each with {@code _failed_expectations}, when the
     * dataset asks for {@code quarantine()}; called after {@link #expectations}.
     */
    default Optional<DataStream<RowData>> quarantined(JobContext job, DatasetSpec dataset) {
      return Optional.empty();
    }

    /** Sees the rows about to be written to {@code dataset} (to count them) and returns the rows to write. */
    default DataStream<RowData> written(
        JobContext job, DatasetSpec dataset, DataStream<RowData> rows) {
      return rows;
    }

    /** Sees the rows append flow {@code flow} produces for {@code target} (to count them) and returns them. */
    default DataStream<RowData> appended(
        JobContext job, String flow, DatasetSpec target, DataStream<RowData> rows) {
      return rows;
    }
  }

  /**
   * A translator of {@code plan}'s jobs.
   *
   * @throws io.tributary.dsl.PipelineDefinitionException if a {@code pipelines.*} value is wrong, which
   *     the analysis of {@code plan} has reported already
   */
  public JobTranslator(ResolvedPlan plan, JobIo io, FlowStages stages) {
    this.plan = plan;
    this.io = io;
    this.stages = stages;
    this.settings = PipelineSettings.of(plan.plan().pipeline(), plan.plan().configuration());
    this.applyChanges = new ApplyChangesTranslator(plan, io, stages, settings.tombstoneRetention());
    this.snapshotChanges = new SnapshotChangesTranslator(plan, io, stages, applyChanges);
  }

  /** The Flink settings of a job of this plan. */
  public static Configuration configuration(
      PlannedJob job, int parallelism, Duration checkpointInterval) {
    Configuration conf = new Configuration();
    boolean streaming = job.mode() == PlannedJob.Mode.STREAMING;
    conf.set(
        ExecutionOptions.RUNTIME_MODE,
        streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
    conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    conf.set(PipelineOptions.NAME, job.name());
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    if (streaming) {
      conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
      // Heap state's snapshots compressed (Snappy, per key group): smaller savepoints, and a
      // restore that reads them block by block. Uncompressed, Flink's local file system served
      // the heap backend's restore one small read() per value (its streams have no buffer:
      // FLINK-19911), about 20 s of system time restoring the benchmark's 1M-key dedup state
      // (docs/benchmarks.md, Sitting 11). The pipeline's Flink options can turn it off.
      conf.set(ExecutionOptions.SNAPSHOT_COMPRESSION, true);
    } else {
      // Flink 2.3's merging HashAggregate (the global half of a two-phase aggregation) returns NULL
      // for AVG in most groups once its hash map outgrows its managed memory and it falls back to
      // sort-based aggregation (spilling), e.g. COUNT(DISTINCT) + AVG, whose Expand makes ~1M
      // groups of the benchmark's 1M events. One-phase aggregation has no merging operator; its
      // own fallback is correct (checked at 3M groups with spilling). See BatchAggregationITCase.
      conf.set(
          OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY,
          AggregatePhaseStrategy.ONE_PHASE);
    }
    return conf;
  }

  /** Translates {@code context.job()} into a graph on an environment configured by {@code conf}. */
  public TranslatedJob translate(JobContext context, Configuration conf) {
    // An applyChangesFromSnapshot job runs to the end of its snapshots like a BATCH job, but in
    // STREAMING execution without checkpoints, which the Delta sink's upserts need: one commit at
    // the end.
    boolean snapshotJob =
        context.job().datasets().stream()
            .anyMatch(d -> plan.plan().snapshotChangesInto(d).isPresent());
    if (snapshotJob) {
      conf = new Configuration(conf);
      conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    }
    if (incremental(context)) {
      conf = IncrementalAggregation.apply(conf); // mini-batches for its job only
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    EnvironmentSettings settings =
        context.bounded() && !snapshotJob
            ? EnvironmentSettings.inBatchMode()
            : EnvironmentSettings.inStreamingMode();
    StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env, settings);
    JobTables tables = new JobTables(env, tableEnv, context);
    PlanTables planTables =
        new PlanTables(
            tableEnv,
            name -> plan.plan().dataset(name).orElseThrow(),
            plan.plan()::queryInputsOf,
            plan.plan().configuration(),
            tables);

    for (String member : context.job().datasets()) {
      // a once job's member is its flow; it writes the flow's target
      String name =
          context.job().once()
              ? plan.plan().appendFlow(member).orElseThrow().target().orElseThrow()
              : member;
      DatasetSpec dataset = plan.plan().dataset(name).orElseThrow();
      // the table's first flow says how it is written: by its change flow alone (validation allows
      // no other flow beside one), or by its query and the append flows into it
      Flow first =
          plan.plan().flows().stream()
              .filter(flow -> flow.target().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no flow writes " + name + " in job " + context.job().name()));
      first.match(
          new Flow.Cases<Void>() {
            @Override
            public Void query(Flow.QueryFlow flow) {
              if (tables.incremental) {
                translateIncremental(tableEnv, planTables, context, dataset);
              } else {
                translateQueryFlows(tableEnv, planTables, tables, context, dataset);
              }
              return null;
            }

            @Override
            public Void append(Flow.AppendFlow flow) {
              translateQueryFlows(tableEnv, planTables, tables, context, dataset);
              return null;
            }

            @Override
            public Void applyChanges(Flow.ApplyChangesFlow flow) {
              applyChanges.translate(tableEnv, planTables, context, dataset);
              return null;
            }

            @Override
            public Void snapshotChanges(Flow.SnapshotChangesFlow flow) {
              snapshotChanges.translate(env, tableEnv, planTables, context, dataset, flow.spec());
              return null;
            }
          });
    }
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(plan.plan().pipeline() + ": " + context.job().name());
    return new TranslatedJob(context.job(), graph, tables.caughtUpIds);
  }

  /** Whether {@code context}'s job is a STREAMING job of materialized tables: it reads its inputs' new rows. */
  private boolean incremental(JobContext context) {
    return !context.bounded()
        && !context.job().once()
        && context.job().datasets().stream()
            .allMatch(
                d ->
                    plan.plan()
                        .dataset(d)
                        .map(s -> s.kind() == DatasetKind.MATERIALIZED_TABLE)
                        .orElse(false));
  }

  /**
   * A table written by its query and the append flows into it: their rows, then dropDuplicates, the
   * expectations (and quarantine), the row count and the write; a streaming table's rows are kept for
   * the tables of this job that read it as a stream.
   */
  private void translateQueryFlows(
      StreamTableEnvironment tableEnv,
      PlanTables planTables,
      JobTables tables,
      JobContext context,
      DatasetSpec dataset) {
    String name = dataset.name();
    RowType rowType = EventTime.physical(plan.schema(name));
    DataStream<RowData> rows = queryRows(tableEnv, planTables, context, dataset, rowType);
    if (!dataset.dropDuplicatesKeys().isEmpty()) {
      rows =
          rows.keyBy(
                  new RowKeySelector(rowType, dataset.dropDuplicatesKeys()), RowKeySerializer.TYPE)
              .process(new DropDuplicatesFunction(), InternalTypeInfo.of(rowType))
              .name(name + ": drop duplicates " + dataset.dropDuplicatesKeys())
              .uid(context.uid(name, "dedup"));
    }
    if (!dataset.expectations().isEmpty()) {
      rows = stages.expectations(tableEnv, context, dataset, rows, rowType);
      stages
          .quarantined(context, dataset)
          .ifPresent(
              dropped ->
                  io.write(
                      dropped,
                      context,
                      DatasetSpec.of(dataset.quarantineTable(), dataset.kind(), false)
                          .withComment("Rows the expectations of " + dataset.name() + " dropped"),
                      ExpectationOperator.quarantineType(rowType)));
    }
    rows = stages.written(context, dataset, rows);
    io.write(rows, context, dataset, rowType, settings.autoCompact());
    if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
      // rows read on from this table keep its event time, with the watermarks the stream carries
      tables.streams.put(
          name,
          tableEnv.fromDataStream(
              rows,
              EventTime.schema(
                  rowType, EventTime.rowtimeColumn(plan.schema(name)), "SOURCE_WATERMARK()")));
    }
  }

  /**
   * A materialized table maintained incrementally: its query over the new rows of its inputs' tables
   * (see {@link JobTables#snapshot}) as a changelog, retractions included, applied to its table by the
   * upsert key the planner derived (the keyed writer of applyChanges targets, with deletion vectors).
   */
  private void translateIncremental(
      StreamTableEnvironment tableEnv,
      PlanTables planTables,
      JobContext context,
      DatasetSpec dataset) {
    String name = dataset.name();
    RowType rowType = EventTime.physical(plan.schema(name));
    Table query = inOrderOf(planTables.build(dataset), rowType);
    DataStream<RowData> changes =
        tableEnv
            .toChangelogStream(query)
            .flatMap(
                new ChangelogRows(query.getResolvedSchema().toPhysicalRowDataType()),
                InternalTypeInfo.of(rowType))
            .name(name + ": changelog")
            .uid(context.uid(name, "changelog"));
    changes = stages.written(context, dataset, changes);
    io.writeChanges(changes, context, dataset, rowType, plan.refresh(name).keys());
  }

  /**
   * The rows of {@code dataset}'s flows: its own query, and the append flows into it that this job
   * runs, each flow's columns put in the table's order and counted as the flow's, then unioned.
   */
  private DataStream<RowData> queryRows(
      StreamTableEnvironment tableEnv,
      PlanTables planTables,
      JobContext context,
      DatasetSpec dataset,
      RowType rowType) {
    List<AppendFlowSpec> flows =
        context.job().flows().stream()
            .map(f -> plan.plan().appendFlow(f).orElseThrow())
            .filter(f -> f.writes(dataset.name()))
            .toList();
    if (flows.isEmpty()) {
      return toStream(tableEnv, planTables.build(dataset), rowType);
    }
    List<DataStream<RowData>> parts = new ArrayList<>();
    if (!context.job().once() && dataset.query().isPresent()) {
      parts.add(toStream(tableEnv, inOrderOf(planTables.build(dataset), rowType), rowType));
    }
    for (AppendFlowSpec flow : flows) {
      DataStream<RowData> part =
          toStream(tableEnv, inOrderOf(planTables.build(flow.asDataset()), rowType), rowType);
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
    return table.select(
        rowType.getFieldNames().stream().map(Expressions::$).toArray(ApiExpression[]::new));
  }

  static DataStream<RowData> toStream(
      StreamTableEnvironment tableEnv, Table table, RowType rowType) {
    return tableEnv.toDataStream(
        table,
        TypeConversions.fromLogicalToDataType(EventTime.physical(rowType))
            .bridgedTo(RowData.class));
  }

  /**
   * The columns of input {@code input}'s {@code rowType} that {@code refresh}'s query uses, in their
   * order: an incremental table's job reads only these of its input's files.
   */
  static RowType columnsRead(RowType rowType, Refresh refresh, String input) {
    return refresh
        .columnsRead(input)
        .map(
            columns ->
                new RowType(
                    rowType.isNullable(),
                    rowType.getFields().stream()
                        .filter(field -> columns.contains(field.getName()))
                        .toList()))
        .orElse(rowType);
  }

  /** The persisted tables of one job: sources, snapshots and in-job streams, each made once. */
  private final class JobTables implements PlanTables.PersistedTables {
    private final StreamExecutionEnvironment env;
    private final StreamTableEnvironment tableEnv;
    private final JobContext context;
    private final Map<String, Table> streams = new HashMap<>();
    private final Map<String, Table> snapshots = new HashMap<>();
    private final Set<String> lookups = new HashSet<>();
    private final List<String> caughtUpIds = new ArrayList<>();

    /** A STREAMING job of a materialized table: it reads its inputs' new rows, not their snapshots. */
    private final boolean incremental;

    JobTables(StreamExecutionEnvironment env, StreamTableEnvironment tableEnv, JobContext context) {
      this.env = env;
      this.tableEnv = tableEnv;
      this.context = context;
      this.incremental = incremental(context);
    }

    @Override
    public Table snapshot(String dataset) {
      return snapshots.computeIfAbsent(
          dataset,
          name -> {
            if (incremental) {
              String reader = context.job().datasets().get(0);
              JobIo.SourceStream rows =
                  io.readTable(
                      env,
                      context,
                      reader,
                      name,
                      columnsRead(
                          EventTime.physical(plan.schema(name)), plan.refresh(reader), name));
              rows.caughtUpId().ifPresent(caughtUpIds::add);
              return tableEnv.fromDataStream(rows.rows());
            }
            Optional<TableDescriptor> table =
                io.snapshotTable(context, name, EventTime.physical(plan.schema(name)));
            if (table.isPresent()) {
              return tableEnv.from(table.get());
            }
            JobIo.SourceStream source =
                io.readSnapshot(env, context, name, EventTime.physical(plan.schema(name)));
            source.caughtUpId().ifPresent(caughtUpIds::add);
            return tableEnv.fromDataStream(source.rows());
          });
    }

    @Override
    public Table stream(String dataset) {
      Table table = streams.get(dataset);
      if (table == null) {
        throw new IllegalStateException(
            "stream of "
                + dataset
                + " is read before it is translated in job "
                + context.job().name());
      }
      return table;
    }

    /** A lookup reads the table through its connector, not a source of this job: no stream, no state. */
    @Override
    public String lookup(String dataset) {
      String name = PlanTables.lookupTableName(dataset);
      if (lookups.add(dataset)) {
        tableEnv.createTemporaryTable(
            name,
            io.lookupTable(
                context,
                dataset,
                EventTime.physical(plan.schema(dataset)),
                settings.lookupRefreshInterval()));
      }
      return name;
    }

    @Override
    public Table source(String dataset, Source source) {
      RowType rowType = plan.schema(dataset);
      JobIo.SourceStream stream =
          io.readSource(env, context, dataset, source, EventTime.physical(rowType));
      stream.caughtUpId().ifPresent(caughtUpIds::add);
      return tableEnv.fromDataStream(
          stream.rows(),
          EventTime.schema(rowType, EventTime.rowtimeColumn(rowType), "SOURCE_WATERMARK()"));
    }
  }
}
