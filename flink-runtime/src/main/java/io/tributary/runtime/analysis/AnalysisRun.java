package io.tributary.runtime.analysis;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.SnapshotChanges;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.Query;
import io.tributary.dsl.plan.ReadMode;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import io.tributary.runtime.config.PipelineConfigException;
import io.tributary.runtime.config.PipelineSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.logical.RowType;

/**
 * One analysis of a plan. The order is decided up front where the plan knows it and on demand where
 * only a query knows it: datasets are taken in the plan's order (each after the inputs the plan can
 * see: {@code from()}, change flows' sources), and a query that reads a dataset not analyzed yet (a
 * {@code query} lambda, whose reads are calls made while it runs; a SQL query, whose candidate tables
 * are its identifiers, {@link SqlText#identifiers}) has that dataset analyzed first, depth first. So
 * each query runs once (a streaming query that reads views runs once more, with the views inlined,
 * for its append-only check). A read of a dataset still being analyzed is a cycle: the readers on it are
 * left unresolved and the cycle is reported, spelled out by the plan, once everything else is done.
 *
 * <p>A user's lambda cannot be suspended, so an input it cannot be given (undefined, failed, or on a
 * cycle) aborts it with {@link InputUnavailable}, which never means "retry".
 */
final class AnalysisRun implements TableResolver {

  /** The prefix of an external source's placeholder. */
  static final String SOURCE_PREFIX = "__source_";

  /** Where a dataset stands in this analysis. */
  private enum State {
    /** Being analyzed: a read of it from inside its own analysis is a cycle. */
    ANALYZING,
    /** Analyzed: its row type is known and its placeholders are registered. */
    DONE,
    /** Not analyzable: its problem, or that of an input, is reported. */
    FAILED,
    /** Reads a dataset on a cycle (or is on one): reported as the cycle. */
    BLOCKED
  }

  private final LogicalPlan plan;
  private final SourceSchemas sourceSchemas;
  private final List<Analyzer.DatasetCheck> checks;
  private final StreamTableEnvironment tableEnv;
  private final RecordingCatalog catalog = new RecordingCatalog();
  private final Placeholders placeholders = new Placeholders(catalog);
  private final StreamingChecks streaming;
  private final RefreshPlanner refreshPlanner;
  private final DatasetQueries queries;
  private final DeclaredSchemas declaredSchemas;
  private final Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
  private final Map<String, State> states = new LinkedHashMap<>();
  /** The datasets being analyzed, innermost first: the top is the reader of any read made now. */
  private final Deque<String> analyzing = new ArrayDeque<>();
  private final Map<String, RowType> schemas = new LinkedHashMap<>();
  private final Map<String, List<Input>> inputs = new LinkedHashMap<>();
  /** The read that left each {@link State#BLOCKED} dataset unresolved: its edge of the cycle. */
  private final Map<String, String> waitingOn = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  AnalysisRun(LogicalPlan plan, SourceSchemas sourceSchemas, List<Analyzer.DatasetCheck> checks) {
    this.plan = plan;
    this.sourceSchemas = sourceSchemas;
    this.checks = checks;
    plan.datasets().forEach(d -> datasets.put(d.name(), d));
    Configuration conf = new Configuration();
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    this.tableEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    tableEnv.registerCatalog(RecordingCatalog.NAME, catalog);
    tableEnv.useCatalog(RecordingCatalog.NAME);
    tableEnv.useDatabase(RecordingCatalog.DATABASE);
    this.streaming = new StreamingChecks(tableEnv, datasets, name -> inputs.getOrDefault(name, List.of()),
        plan.configuration());
    this.queries = new DatasetQueries(tableEnv, this, plan.configuration());
    this.declaredSchemas = new DeclaredSchemas(tableEnv);
    this.refreshPlanner = new RefreshPlanner(tableEnv, datasets, name -> inputs.getOrDefault(name, List.of()));
  }

  /** {@code step}'s plan, or its problems followed by {@code settings}' ones. */
  private LogicalPlan withSettingsProblems(Supplier<LogicalPlan> step, List<String> settings) {
    try {
      return step.get();
    } catch (PipelineDefinitionException e) {
      if (settings.isEmpty() || e instanceof PipelineConfigException) {
        throw e;
      }
      List<String> all = new ArrayList<>(e.problems());
      all.addAll(settings);
      throw PipelineDefinitionException.of(plan.pipeline(), all);
    }
  }

  ResolvedPlan analyze() {
    plan.datasets().forEach(d -> resolve(d.name()));
    // the pipelines.* keys are reported with the datasets' problems, whichever step finds those
    List<String> settings = PipelineSettings.problems(plan.configuration());
    if (states.containsValue(State.BLOCKED)) {
      Map<String, List<Input>> cycleEdges = new LinkedHashMap<>(inputs);
      waitingOn.forEach((reader, read) -> cycleEdges.put(reader, List.of(Input.snapshot(read))));
      withSettingsProblems(() -> plan.withResolvedInputs(cycleEdges), settings); // throws the cycle, spelled out
      throw new IllegalStateException("analysis blocked without a cycle on " + waitingOn);
    }
    problems.addAll(settings);
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(plan.pipeline(), problems);
    }
    LogicalPlan resolved = withSettingsProblems(() -> plan.withResolvedInputs(inputs), settings);
    return new ResolvedPlan(resolved, schemas, refreshPlanner.decided());
  }

  /** Analyzes {@code name} unless it was already; returns where it stands ({@code ANALYZING}: a cycle). */
  private State resolve(String name) {
    State known = states.get(name);
    if (known != null) {
      return known;
    }
    states.put(name, State.ANALYZING);
    analyzing.push(name);
    State state;
    try {
      state = analyze(datasets.get(name));
    } finally {
      analyzing.pop();
    }
    states.put(name, state);
    return state;
  }

  /**
   * Makes sure {@code dataset}, read by the dataset being analyzed, is analyzed; aborts the reading
   * query if it cannot be given.
   */
  private void require(String dataset) {
    State state = resolve(dataset);
    if (state == State.FAILED) {
      throw InputUnavailable.failed();
    }
    if (state != State.DONE) {
      waitingOn.put(analyzing.peek(), dataset);
      throw InputUnavailable.blocked();
    }
  }

  private State analyze(DatasetSpec dataset) {
    if (!plan.appendFlowsInto(dataset.name()).isEmpty()) {
      return analyzeFlowTarget(dataset);
    }
    Optional<SnapshotChangesSpec> snapshotFlow = plan.snapshotChangesInto(dataset.name());
    if (dataset.cdcTarget() && snapshotFlow.isPresent()) {
      return analyzeSnapshotTarget(dataset, snapshotFlow.get());
    }
    if (dataset.cdcTarget()) {
      return analyzeCdcTarget(dataset);
    }
    if (dataset.query().isEmpty()) {
      return State.FAILED; // reported by Pipeline.build()
    }
    try {
      DatasetQueries.Built built = queries.build(dataset, this::sqlQuery);
      Table table = built.table();
      List<String> datasetProblems = new ArrayList<>();
      inputs.put(dataset.name(), built.inputs());
      if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
        // a stream joined with a snapshot is also an updating join once outer: the lookup fixes both
        streaming.checkNoSnapshotReads(dataset, dataset.name(), "", datasetProblems);
        if (datasetProblems.isEmpty()) {
          streaming.checkAppendOnly(dataset, table, datasetProblems);
        }
      }
      RowType rowType = Analyzer.rowType(table);
      RowType declared = declaredSchemas.apply(dataset, rowType, datasetProblems);
      rowType = readsSourceDirectly(dataset) ? rowType : declared;
      checkDropDuplicates(dataset, rowType, datasetProblems);
      for (Analyzer.DatasetCheck check : checks) {
        datasetProblems.addAll(check.check(dataset, table));
      }
      refreshPlanner.decideIfTable(dataset, table, datasetProblems);
      return registered(dataset.name(), rowType, datasetProblems);
    } catch (InputUnavailable e) {
      if (e.reason == InputUnavailable.Reason.UNDEFINED) {
        return failed(List.of(DefinitionErrors.undefinedInput(dataset.name(), e.dataset, datasets.keySet(), e.call)));
      }
      return e.reason == InputUnavailable.Reason.FAILED ? State.FAILED : State.BLOCKED;
    } catch (SourceSchemaException e) {
      return failed(List.of("Dataset '" + dataset.name() + "': " + e.getMessage()));
    } catch (DatasetQueries.DefinitionProblem e) {
      return failed(List.of(e.getMessage()));
    } catch (RuntimeException e) {
      return failed(List.of(AnalysisErrors.queryFailed(dataset, e)));
    }
  }

  /**
   * A streaming table fed by append flows (and perhaps by its own query, its default flow): each
   * flow's query is analyzed as a dataset named after the flow, and every flow must produce the
   * same columns (names and types, in any order); the table's row type is the first flow's, each
   * column nullable if any flow's is.
   */
  private State analyzeFlowTarget(DatasetSpec target) {
    Map<String, DatasetSpec> flows = new LinkedHashMap<>();
    target.query().ifPresent(q -> flows.put(target.name(), target));
    List<AppendFlowSpec> appendFlows = plan.appendFlowsInto(target.name());
    appendFlows.forEach(f -> flows.put(f.name(), f.asDataset()));
    Map<String, RowType> types = new LinkedHashMap<>();
    Map<String, List<Input>> flowReads = new LinkedHashMap<>();
    List<String> targetProblems = new ArrayList<>();
    for (DatasetSpec flow : flows.values()) {
      boolean once = appendFlows.stream().anyMatch(f -> f.name().equals(flow.name()) && f.once());
      try {
        DatasetQueries.Built built = queries.build(flow, this::sqlQuery);
        flowReads.put(flow.name(), built.inputs());
        inputs.put(flow.name(), built.inputs());
        types.put(flow.name(), Analyzer.rowType(built.table()));
        if (!once && flow == target) {
          List<String> snapshotReads = new ArrayList<>();
          streaming.checkNoSnapshotReads(flow, flow.name(), "", snapshotReads);
          targetProblems.addAll(snapshotReads);
          if (snapshotReads.isEmpty()) {
            streaming.checkAppendOnly(flow, built.table(), targetProblems);
          }
        } else if (!once) {
          List<String> snapshotReads = new ArrayList<>();
          streaming.checkNoSnapshotReads(flow, flow.name(), "", snapshotReads);
          if (!snapshotReads.isEmpty()) {
            targetProblems.add(AnalysisErrors.snapshotReadInFlow(flow.name(), snapshotRead(flow.name())));
          } else {
            streaming.updatingError(flow, built.table()).ifPresent(e ->
                targetProblems.add(AnalysisErrors.updatingFlowQuery(flow.name(), target.name(), e)));
          }
        }
      } catch (InputUnavailable e) {
        if (e.reason == InputUnavailable.Reason.BLOCKED) {
          flowReads.keySet().forEach(inputs::remove);
          return State.BLOCKED;
        }
        if (e.reason == InputUnavailable.Reason.FAILED) {
          return State.FAILED;
        }
        targetProblems.add(flow == target
            ? DefinitionErrors.undefinedInput(target.name(), e.dataset, datasets.keySet(), e.call)
            : DefinitionErrors.appendFlowUndefinedInput(flow.name(), e.dataset, datasets.keySet(), e.call));
      } catch (SourceSchemaException e) {
        targetProblems.add((flow == target ? "Dataset '" : "Flow '") + flow.name() + "': " + e.getMessage());
      } catch (DatasetQueries.DefinitionProblem e) {
        targetProblems.add(e.getMessage());
      } catch (RuntimeException e) {
        targetProblems.add(flow == target ? AnalysisErrors.queryFailed(flow, e)
            : AnalysisErrors.flowQueryFailed(flow.name(), e));
      }
    }
    if (!targetProblems.isEmpty()) {
      return failed(targetProblems);
    }
    RowType targetType = FlowTypes.targetType(target.name(), types, targetProblems);
    inputs.put(target.name(), flowReads.getOrDefault(target.name(), List.of()));
    if (targetType != null) {
      String placeholder = "__flows_" + target.name();
      placeholders.create(placeholder, targetType);
      Table table = tableEnv.from(Placeholders.quoted(placeholder));
      checkDropDuplicates(target, targetType, targetProblems);
      for (Analyzer.DatasetCheck check : checks) {
        targetProblems.addAll(check.check(target, table));
      }
      RowType declared = declaredSchemas.apply(target, targetType, targetProblems);
      targetType = readsSourceDirectly(target) ? targetType : declared;
    }
    State state = registered(target.name(), targetType, targetProblems);
    if (state == State.DONE) {
      // each flow's own row type, which its sources produce before its columns are put in the table's order
      types.forEach((flow, type) -> {
        if (!flow.equals(target.name())) {
          schemas.put(flow, type);
        }
      });
    }
    return state;
  }

  /** The first snapshot read of {@code flow}, for its problem's text. */
  private String snapshotRead(String flow) {
    return inputs.getOrDefault(flow, List.of()).stream().filter(i -> i.mode() == ReadMode.SNAPSHOT)
        .map(Input::dataset).findFirst().orElse("?");
  }

  /**
   * The one source dataset of a change flow into {@code target}, analyzed first; empty if it cannot
   * be read (undefined: reported here; failed; or on a cycle: {@code target} is blocked with it).
   */
  private Optional<State> unreadableSource(DatasetSpec target, String source, String call) {
    if (!datasets.containsKey(source)) {
      problems.add(DefinitionErrors.undefinedInput(target.name(), source, datasets.keySet(), call));
      return Optional.of(State.FAILED);
    }
    State state = resolve(source);
    if (state == State.DONE) {
      return Optional.empty();
    }
    if (state == State.FAILED) {
      return Optional.of(State.FAILED);
    }
    waitingOn.put(target.name(), source);
    return Optional.of(State.BLOCKED);
  }

  private State analyzeCdcTarget(DatasetSpec dataset) {
    ApplyChangesSpec flow = plan.applyChanges().stream().filter(a -> a.target().equals(dataset.name()))
        .findFirst().orElseThrow();
    String source = flow.source().orElseThrow();
    Optional<State> unreadable = unreadableSource(dataset, source, "applyChanges(…).from()");
    if (unreadable.isPresent()) {
      return unreadable.get();
    }
    inputs.put(dataset.name(), List.of(Input.stream(source)));
    List<String> cdcProblems = CdcLayout.problems(flow, schemas.get(source));
    if (!cdcProblems.isEmpty()) {
      return failed(cdcProblems);
    }
    RowType targetType = CdcLayout.of(flow, schemas.get(source)).targetType();
    List<String> declaredProblems = new ArrayList<>();
    declaredSchemas.apply(dataset, targetType, declaredProblems); // checked; the merge's layout is kept
    return registered(dataset.name(), targetType, declaredProblems);
  }

  /**
   * An applyChangesFromSnapshot target: its columns are the snapshots' selected columns (plus the SCD
   * type 2 interval), taken from the source dataset or from the snapshot function's first snapshot.
   */
  private State analyzeSnapshotTarget(DatasetSpec dataset, SnapshotChangesSpec flow) {
    RowType snapshotType;
    if (flow.sourceDataset().isPresent()) {
      String source = flow.sourceDataset().get();
      Optional<State> unreadable = unreadableSource(dataset, source, "applyChangesFromSnapshot(…).fromSnapshot()");
      if (unreadable.isPresent()) {
        return unreadable.get();
      }
      inputs.put(dataset.name(), List.of(Input.snapshot(source)));
      snapshotType = schemas.get(source);
    } else {
      inputs.put(dataset.name(), List.of());
      try {
        Optional<SnapshotFunction.Snapshot> first = flow.sourceFunction().orElseThrow()
            .next(new SnapshotQueryContext(plan.pipeline(), dataset.name(), tableEnv, plan.configuration()),
                Optional.empty());
        if (first.isEmpty()) {
          return failed(List.of(AnalysisErrors.noFirstSnapshot(dataset.name())));
        }
        snapshotType = Analyzer.rowType(first.get().rows());
      } catch (PipelineDefinitionException e) {
        return failed(e.problems()); // it read a dataset of the pipeline
      } catch (RuntimeException e) {
        return failed(List.of(AnalysisErrors.snapshotFunctionFailed(dataset.name(), e)));
      }
    }
    List<String> snapshotProblems = SnapshotChanges.problems(flow, snapshotType);
    if (!snapshotProblems.isEmpty()) {
      return failed(snapshotProblems);
    }
    RowType targetType = SnapshotChanges.of(flow, snapshotType).layout().targetType();
    List<String> declaredProblems = new ArrayList<>();
    declaredSchemas.apply(dataset, targetType, declaredProblems); // checked; the merge's layout is kept
    return registered(dataset.name(), targetType, declaredProblems);
  }

  /**
   * Whether the table's rows are an external source's, read with the table's row type: its declared
   * schema is checked, but the source's column order and nullability are kept.
   */
  private static boolean readsSourceDirectly(DatasetSpec dataset) {
    return dataset.query().map(query -> query.match(read -> false, source -> true, api -> false, sql -> false))
        .orElse(false);
  }

  private void checkDropDuplicates(DatasetSpec dataset, RowType rowType, List<String> datasetProblems) {
    for (String key : dataset.dropDuplicatesKeys()) {
      if (!rowType.getFieldNames().contains(key)) {
        datasetProblems.add("Dataset '" + dataset.name() + "': dropDuplicates names column '" + key
            + "', which the query does not produce. Available columns: " + rowType.getFieldNames()
            + ". Check the names passed to dropDuplicates().");
      }
    }
  }

  /** Registers {@code dataset}'s row type and placeholders, unless it has problems: then it failed. */
  private State registered(String dataset, RowType rowType, List<String> datasetProblems) {
    if (!datasetProblems.isEmpty()) {
      return failed(datasetProblems);
    }
    schemas.put(dataset, rowType);
    placeholders.register(dataset, rowType);
    return State.DONE;
  }

  private State failed(List<String> datasetProblems) {
    problems.addAll(datasetProblems);
    return State.FAILED;
  }

  /**
   * A SQL query: each dataset it may read (an identifier of its text) is analyzed first; then the
   * planner's catalog lookups are its reads.
   */
  private Table sqlQuery(String sql, Set<Input> reads) {
    for (String name : SqlText.identifiers(sql)) {
      if (datasets.containsKey(name)) {
        require(name);
      }
    }
    for (String looked : SqlText.lookupReads(sql)) {
      if (!datasets.containsKey(looked)) {
        throw InputUnavailable.undefined(looked, "sql() (the table before FOR SYSTEM_TIME AS OF)");
      }
    }
    catalog.resetLookups();
    Table table = tableEnv.sqlQuery(sql);
    for (String name : new TreeSet<>(catalog.lookups())) {
      String dataset = SqlText.withoutSuffix(name);
      ReadMode mode = name.endsWith(SqlText.STREAM_SUFFIX) ? ReadMode.STREAM
          : name.endsWith(SqlText.LOOKUP_SUFFIX) ? ReadMode.LOOKUP : ReadMode.SNAPSHOT;
      if (datasets.containsKey(dataset)) {
        reads.add(new Input(dataset, mode));
      }
    }
    return table;
  }

  @Override
  public Table snapshot(String dataset) {
    return placeholder(dataset, dataset, "ctx.read()");
  }

  @Override
  public Table stream(String dataset) {
    return placeholder(dataset, dataset + SqlText.STREAM_SUFFIX, "ctx.readStream()");
  }

  @Override
  public String lookup(String dataset) {
    placeholder(dataset, dataset + SqlText.LOOKUP_SUFFIX, "ctx.lookupJoin()");
    return Placeholders.quoted(dataset + SqlText.LOOKUP_SUFFIX);
  }

  @Override
  public Table source(String dataset, Source source) {
    RowType rowType;
    try {
      rowType = sourceSchemas.schemaOf(dataset, source);
    } catch (RuntimeException e) {
      throw new SourceSchemaException(e.getMessage(), e);
    }
    String name = SOURCE_PREFIX + dataset;
    Optional<AutoLoader.Watermark> watermark = EventTime.watermark(source);
    placeholders.create(name, rowType, watermark.map(w -> w.column()),
        watermark.map(w -> EventTime.delayedBy(w.column(), w)).orElse(""));
    return tableEnv.from(Placeholders.quoted(name));
  }

  private Table placeholder(String dataset, String registeredName, String call) {
    if (!datasets.containsKey(dataset)) {
      throw InputUnavailable.undefined(dataset, call);
    }
    require(dataset);
    return tableEnv.from(Placeholders.quoted(registeredName));
  }

  /** An external source's schema could not be derived; its message says why and how to fix it. */
  private static final class SourceSchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceSchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
