package io.tributary.runtime.analysis;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
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
 * for its append-only check, and so does a materialized table's for its refresh plan; an incremental
 * table's once more over its inputs narrowed to the columns it reads). A read of a dataset still being
 * analyzed is a cycle: the readers on it are left unresolved and the cycle is reported, spelled out by
 * the plan, once everything else is done.
 *
 * <p>This class keeps the order and analyzes a table or view with a query; {@link QueryReads} runs
 * queries against placeholders, {@link AppendFlowTargetAnalysis} and {@link ChangeTargetAnalysis}
 * analyze the tables flows write, and {@link AnalysisFindings} collects what they learn.
 */
final class AnalysisRun {

  private final LogicalPlan plan;
  private final List<Analyzer.DatasetCheck> checks;
  private final Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
  private final Map<String, DatasetState> states = new LinkedHashMap<>();

  /** The datasets being analyzed, innermost first: the top is the reader of any read made now. */
  private final Deque<String> analyzing = new ArrayDeque<>();

  private final AnalysisFindings findings;
  private final QueryReads reads;
  private final StreamingChecks streaming;
  private final RefreshPlanner refreshPlanner;
  private final DeclaredSchemas declaredSchemas;
  private final AppendFlowTargetAnalysis flowTargets;
  private final ChangeTargetAnalysis changeTargets;

  AnalysisRun(LogicalPlan plan, SourceSchemas sourceSchemas, List<Analyzer.DatasetCheck> checks) {
    this.plan = plan;
    this.checks = checks;
    plan.datasets().forEach(d -> datasets.put(d.name(), d));
    Configuration conf = new Configuration();
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    StreamTableEnvironment tableEnv =
        StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    RecordingCatalog catalog = new RecordingCatalog();
    tableEnv.registerCatalog(RecordingCatalog.NAME, catalog);
    tableEnv.useCatalog(RecordingCatalog.NAME);
    tableEnv.useDatabase(RecordingCatalog.DATABASE);
    Placeholders placeholders = new Placeholders(catalog);
    this.findings = new AnalysisFindings(placeholders);
    this.reads =
        new QueryReads(
            datasets,
            tableEnv,
            catalog,
            placeholders,
            sourceSchemas,
            plan.configuration(),
            new QueryReads.Order() {
              @Override
              public DatasetState resolve(String dataset) {
                return AnalysisRun.this.resolve(dataset);
              }

              @Override
              public void blockedOn(String dataset) {
                findings.waitsOn(analyzing.peek(), dataset);
              }
            });
    this.streaming =
        new StreamingChecks(tableEnv, datasets, findings::inputs, plan.configuration());
    this.declaredSchemas = new DeclaredSchemas(tableEnv);
    this.refreshPlanner =
        new RefreshPlanner(tableEnv, datasets, findings::inputs, plan.configuration());
    this.flowTargets =
        new AppendFlowTargetAnalysis(plan, reads, streaming, declaredSchemas, checks, findings);
    this.changeTargets =
        new ChangeTargetAnalysis(
            plan, datasets, tableEnv, declaredSchemas, findings, this::resolve);
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
    if (states.containsValue(DatasetState.BLOCKED)) {
      Map<String, List<Input>> cycleEdges = new LinkedHashMap<>(findings.inputs());
      findings
          .waitingOn()
          .forEach((reader, read) -> cycleEdges.put(reader, List.of(Input.snapshot(read))));
      withSettingsProblems(
          () -> plan.withResolvedInputs(cycleEdges), settings); // throws the cycle, spelled out
      throw new IllegalStateException(
          "analysis blocked without a cycle on " + findings.waitingOn());
    }
    List<String> problems = findings.problems();
    problems.addAll(settings);
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(plan.pipeline(), problems);
    }
    LogicalPlan resolved =
        withSettingsProblems(() -> plan.withResolvedInputs(findings.inputs()), settings);
    return new ResolvedPlan(resolved, findings.rowTypes(), refreshPlanner.decided());
  }

  /** Analyzes {@code name} unless it was already; returns where it stands ({@code ANALYZING}: a cycle). */
  private DatasetState resolve(String name) {
    DatasetState known = states.get(name);
    if (known != null) {
      return known;
    }
    states.put(name, DatasetState.ANALYZING);
    analyzing.push(name);
    DatasetState state;
    try {
      state = analyze(datasets.get(name));
    } finally {
      analyzing.pop();
    }
    states.put(name, state);
    return state;
  }

  private DatasetState analyze(DatasetSpec dataset) {
    if (!plan.appendFlowsInto(dataset.name()).isEmpty()) {
      return flowTargets.analyze(dataset);
    }
    Optional<SnapshotChangesSpec> snapshotFlow = plan.snapshotChangesInto(dataset.name());
    if (dataset.cdcTarget() && snapshotFlow.isPresent()) {
      return changeTargets.analyzeSnapshotTarget(dataset, snapshotFlow.get());
    }
    if (dataset.cdcTarget()) {
      return changeTargets.analyzeCdcTarget(dataset);
    }
    if (dataset.query().isEmpty()) {
      return DatasetState.FAILED; // reported by Pipeline.build()
    }
    return analyzeQuery(dataset);
  }

  /** A table or view with a query: its row type, checked as its kind and settings require. */
  private DatasetState analyzeQuery(DatasetSpec dataset) {
    QueryOutcome outcome = reads.run(dataset, QueryOutcome.Reader.DATASET);
    if (outcome.kind() == QueryOutcome.Kind.INPUT_BLOCKED) {
      return DatasetState.BLOCKED;
    }
    if (outcome.kind() == QueryOutcome.Kind.INPUT_FAILED) {
      return DatasetState.FAILED;
    }
    if (outcome.kind() == QueryOutcome.Kind.PROBLEM) {
      return findings.failed(List.of(outcome.problem()));
    }
    Table table = outcome.built().table();
    List<String> datasetProblems = new ArrayList<>();
    findings.reads(dataset.name(), outcome.built().inputs());
    try {
      if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
        streaming.checkStreamingQuery(dataset, table, datasetProblems);
      }
      RowType rowType = Analyzer.rowType(table);
      RowType declared = declaredSchemas.apply(dataset, rowType, datasetProblems);
      rowType = RowTypeChecks.readsSourceDirectly(dataset) ? rowType : declared;
      RowTypeChecks.checkDropDuplicates(dataset, rowType, datasetProblems);
      for (Analyzer.DatasetCheck check : checks) {
        datasetProblems.addAll(check.check(dataset, table));
      }
      refreshPlanner.decideIfTable(dataset, table, datasetProblems);
      return findings.registered(dataset.name(), rowType, datasetProblems);
    } catch (RuntimeException e) {
      return findings.failed(List.of(AnalysisErrors.queryFailed(dataset, e)));
    }
  }
}
