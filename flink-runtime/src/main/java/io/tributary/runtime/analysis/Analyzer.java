package io.tributary.runtime.analysis;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.SnapshotChanges;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.ReadMode;
import io.tributary.runtime.catalog.DeltaTableFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * Resolves what only Flink can: runs each {@code query} lambda and SQL query against placeholder
 * tables carrying the upstream schemas, learns every read, derives every dataset's row type, and
 * rejects what cannot run (a streaming table fed by an updating query, a read of an unknown
 * dataset). Reports every problem at once as a {@link PipelineDefinitionException}. Writes nothing.
 */
public final class Analyzer {

  private static final String INLINED_PREFIX = "__inlined_";

  private final SourceSchemas sourceSchemas;
  private final List<DatasetCheck> checks;

  /** A further check of one analyzed dataset, such as its expectations; returns its problems. */
  @FunctionalInterface
  public interface DatasetCheck {
    List<String> check(DatasetSpec dataset, Table table);
  }

  public Analyzer(SourceSchemas sourceSchemas, List<DatasetCheck> checks) {
    this.sourceSchemas = sourceSchemas;
    this.checks = List.copyOf(checks);
  }

  /**
   * Analyzes {@code plan}.
   *
   * @throws PipelineDefinitionException naming every problem, each with its fix
   */
  public ResolvedPlan analyze(LogicalPlan plan) {
    return new Run(plan).analyze();
  }

  /** The state of one analysis. */
  private final class Run implements TableResolver {
    private final LogicalPlan plan;
    private final StreamTableEnvironment tableEnv;
    private final RecordingCatalog catalog = new RecordingCatalog();
    private final Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
    private final Map<String, RowType> schemas = new LinkedHashMap<>();
    private final Map<String, List<Input>> inputs = new LinkedHashMap<>();
    private final Map<String, String> waitingOn = new LinkedHashMap<>();
    private final Set<String> failed = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    Run(LogicalPlan plan) {
      this.plan = plan;
      plan.datasets().forEach(d -> datasets.put(d.name(), d));
      Configuration conf = new Configuration();
      conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      this.tableEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
      tableEnv.registerCatalog(RecordingCatalog.NAME, catalog);
      tableEnv.useCatalog(RecordingCatalog.NAME);
      tableEnv.useDatabase(RecordingCatalog.DATABASE);
    }

    ResolvedPlan analyze() {
      DatasetQueries queries = new DatasetQueries(tableEnv, this, plan.configuration());
      List<DatasetSpec> pending = new ArrayList<>(plan.datasets());
      boolean progress = true;
      while (progress && !pending.isEmpty()) {
        progress = false;
        for (DatasetSpec dataset : List.copyOf(pending)) {
          if (blockedByFailure(dataset)) {
            failed.add(dataset.name());
            pending.remove(dataset);
            progress = true;
          } else if (tryResolve(dataset, queries)) {
            pending.remove(dataset);
            progress = true;
          }
        }
      }
      if (!pending.isEmpty()) {
        Map<String, List<Input>> cycleEdges = new LinkedHashMap<>(inputs);
        waitingOn.forEach((reader, read) -> cycleEdges.put(reader, List.of(Input.snapshot(read))));
        plan.withResolvedInputs(cycleEdges); // throws the cycle, spelled out
        throw new IllegalStateException("analysis stalled without a cycle on " + pending);
      }
      if (!problems.isEmpty()) {
        throw PipelineDefinitionException.of(plan.pipeline(), problems);
      }
      LogicalPlan resolved = plan.withResolvedInputs(inputs);
      return new ResolvedPlan(resolved, schemas);
    }

    private boolean blockedByFailure(DatasetSpec dataset) {
      String waited = waitingOn.get(dataset.name());
      return waited != null && failed.contains(waited);
    }

    /** Returns whether the dataset is done with (resolved or failed); false to retry later. */
    private boolean tryResolve(DatasetSpec dataset, DatasetQueries queries) {
      if (!plan.appendFlowsInto(dataset.name()).isEmpty()) {
        return resolveFlowTarget(dataset, queries);
      }
      Optional<SnapshotChangesSpec> snapshotFlow = plan.snapshotChangesInto(dataset.name());
      if (dataset.cdcTarget() && snapshotFlow.isPresent()) {
        return resolveSnapshotTarget(dataset, snapshotFlow.get());
      }
      if (dataset.cdcTarget()) {
        return resolveCdcTarget(dataset);
      }
      if (dataset.query().isEmpty()) {
        failed.add(dataset.name()); // reported by Pipeline.build()
        return true;
      }
      try {
        DatasetQueries.Built built = queries.build(dataset, this::sqlQuery);
        Table table = built.table();
        List<String> datasetProblems = new ArrayList<>();
        inputs.put(dataset.name(), built.inputs());
        if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
          // a stream joined with a snapshot is also an updating join once outer: the lookup fixes both
          checkNoSnapshotReads(dataset, dataset.name(), "", datasetProblems);
          if (datasetProblems.isEmpty()) {
            checkAppendOnly(dataset, datasetProblems);
          }
        }
        RowType rowType = rowType(table);
        checkDropDuplicates(dataset, rowType, datasetProblems);
        for (DatasetCheck check : checks) {
          datasetProblems.addAll(check.check(dataset, table));
        }
        if (!datasetProblems.isEmpty()) {
          problems.addAll(datasetProblems);
          failed.add(dataset.name());
          return true;
        }
        register(dataset.name(), rowType);
        return true;
      } catch (NotYetResolvedException e) {
        waitingOn.put(dataset.name(), e.dataset());
        return false;
      } catch (InputFailedException e) {
        failed.add(dataset.name()); // its input's problem is reported; this one cannot be analyzed
        return true;
      } catch (UndefinedDatasetException e) {
        problems.add(DefinitionErrors.undefinedInput(dataset.name(), e.dataset, datasets.keySet(), e.call));
        failed.add(dataset.name());
        return true;
      } catch (SourceSchemaException e) {
        problems.add("Dataset '" + dataset.name() + "': " + e.getMessage());
        failed.add(dataset.name());
        return true;
      } catch (DatasetQueries.DefinitionProblem e) {
        problems.add(e.getMessage());
        failed.add(dataset.name());
        return true;
      } catch (RuntimeException e) {
        problems.add(AnalysisErrors.queryFailed(dataset, e));
        failed.add(dataset.name());
        return true;
      }
    }

    /**
     * A streaming table fed by append flows (and perhaps by its own query, its default flow): each
     * flow's query is analyzed as a dataset named after the flow, and every flow must produce the
     * same columns (names and types, in any order); the table's row type is the first flow's, each
     * column nullable if any flow's is.
     */
    private boolean resolveFlowTarget(DatasetSpec target, DatasetQueries queries) {
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
          types.put(flow.name(), rowType(built.table()));
          if (!once && flow == target) {
            List<String> snapshotReads = new ArrayList<>();
            checkNoSnapshotReads(flow, flow.name(), "", snapshotReads);
            targetProblems.addAll(snapshotReads);
            if (snapshotReads.isEmpty()) {
              checkAppendOnly(flow, targetProblems);
            }
          } else if (!once) {
            List<String> snapshotReads = new ArrayList<>();
            checkNoSnapshotReads(flow, flow.name(), "", snapshotReads);
            if (!snapshotReads.isEmpty()) {
              targetProblems.add(AnalysisErrors.snapshotReadInFlow(flow.name(), snapshotRead(flow.name())));
            } else {
              updatingError(flow).ifPresent(e ->
                  targetProblems.add(AnalysisErrors.updatingFlowQuery(flow.name(), target.name(), e)));
            }
          }
        } catch (NotYetResolvedException e) {
          waitingOn.put(target.name(), e.dataset());
          flowReads.keySet().forEach(inputs::remove);
          return false;
        } catch (InputFailedException e) {
          failed.add(target.name());
          return true;
        } catch (UndefinedDatasetException e) {
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
        problems.addAll(targetProblems);
        failed.add(target.name());
        return true;
      }
      RowType targetType = targetType(target.name(), types, targetProblems);
      inputs.put(target.name(), flowReads.getOrDefault(target.name(), List.of()));
      if (targetType != null) {
        String placeholder = "__flows_" + target.name();
        createPlaceholder(placeholder, targetType);
        Table table = tableEnv.from(quoted(placeholder));
        checkDropDuplicates(target, targetType, targetProblems);
        for (DatasetCheck check : checks) {
          targetProblems.addAll(check.check(target, table));
        }
      }
      if (!targetProblems.isEmpty()) {
        problems.addAll(targetProblems);
        failed.add(target.name());
        return true;
      }
      register(target.name(), targetType);
      // each flow's own row type, which its sources produce before its columns are put in the table's order
      types.forEach((flow, type) -> {
        if (!flow.equals(target.name())) {
          schemas.put(flow, type);
        }
      });
      return true;
    }

    /** The first snapshot read of {@code flow}, for its problem's text. */
    private String snapshotRead(String flow) {
      return inputs.getOrDefault(flow, List.of()).stream().filter(i -> i.mode() == ReadMode.SNAPSHOT)
          .map(Input::dataset).findFirst().orElse("?");
    }

    /** The first flow's columns, checked against every other flow's by name and type; null if they differ. */
    private RowType targetType(String target, Map<String, RowType> types, List<String> targetProblems) {
      Map.Entry<String, RowType> first = types.entrySet().iterator().next();
      RowType firstType = EventTime.physical(first.getValue());
      Map<String, LogicalType> columns = new LinkedHashMap<>();
      firstType.getFields().forEach(f -> columns.put(f.getName(), f.getType().copy(true)));
      Set<String> nullable = new LinkedHashSet<>();
      for (Map.Entry<String, RowType> flow : types.entrySet()) {
        RowType type = EventTime.physical(flow.getValue());
        Map<String, LogicalType> flowColumns = new LinkedHashMap<>();
        type.getFields().forEach(f -> flowColumns.put(f.getName(), f.getType().copy(true)));
        if (!flowColumns.equals(columns)) {
          targetProblems.add(DefinitionErrors.appendFlowSchemaMismatch(flow.getKey(), target, describe(firstType),
              describe(type), flow.getKey().equals(first.getKey()) ? "it" : "flow '" + first.getKey() + "'"));
        }
        type.getFields().stream().filter(f -> f.getType().isNullable()).forEach(f -> nullable.add(f.getName()));
      }
      if (!targetProblems.isEmpty()) {
        return null;
      }
      return new RowType(firstType.getFields().stream().map(f -> new RowType.RowField(f.getName(),
          f.getType().copy(nullable.contains(f.getName())))).toList());
    }

    private static String describe(RowType type) {
      return "(" + String.join(", ", type.getFields().stream()
          .map(f -> f.getName() + " " + f.getType().copy(true).asSummaryString()).toList()) + ")";
    }

    /** Where the one source dataset of a change flow into {@code target} stands in this analysis. */
    private enum SourceState {
      /** Analyzed: its row type is known. */
      READY,
      /** Undefined (reported here) or failed: {@code target} fails with it. */
      FAILED,
      /** Not analyzed yet: {@code target} waits for it. */
      PENDING
    }

    /** {@code source}'s state for {@code target}, recording the failure or the wait; {@code call} names the read. */
    private SourceState sourceState(DatasetSpec target, String source, String call) {
      if (!datasets.containsKey(source)) {
        problems.add(DefinitionErrors.undefinedInput(target.name(), source, datasets.keySet(), call));
        failed.add(target.name());
        return SourceState.FAILED;
      }
      if (failed.contains(source)) {
        failed.add(target.name());
        return SourceState.FAILED;
      }
      if (!schemas.containsKey(source)) {
        waitingOn.put(target.name(), source);
        return SourceState.PENDING;
      }
      return SourceState.READY;
    }

    private boolean resolveCdcTarget(DatasetSpec dataset) {
      ApplyChangesSpec flow = plan.applyChanges().stream().filter(a -> a.target().equals(dataset.name()))
          .findFirst().orElseThrow();
      String source = flow.source().orElseThrow();
      SourceState state = sourceState(dataset, source, "applyChanges(…).from()");
      if (state != SourceState.READY) {
        return state == SourceState.FAILED;
      }
      inputs.put(dataset.name(), List.of(Input.stream(source)));
      List<String> cdcProblems = CdcLayout.problems(flow, schemas.get(source));
      if (!cdcProblems.isEmpty()) {
        problems.addAll(cdcProblems);
        failed.add(dataset.name());
        return true;
      }
      register(dataset.name(), CdcLayout.of(flow, schemas.get(source)).targetType());
      return true;
    }

    /**
     * An applyChangesFromSnapshot target: its columns are the snapshots' selected columns (plus the SCD
     * type 2 interval), taken from the source dataset or from the snapshot function's first snapshot.
     */
    private boolean resolveSnapshotTarget(DatasetSpec dataset, SnapshotChangesSpec flow) {
      RowType snapshotType;
      if (flow.sourceDataset().isPresent()) {
        String source = flow.sourceDataset().get();
        SourceState state = sourceState(dataset, source, "applyChangesFromSnapshot(…).fromSnapshot()");
        if (state != SourceState.READY) {
          return state == SourceState.FAILED;
        }
        inputs.put(dataset.name(), List.of(Input.snapshot(source)));
        snapshotType = schemas.get(source);
      } else {
        inputs.put(dataset.name(), List.of());
        try {
          Optional<SnapshotFunction.Snapshot> first = flow.sourceFunction().orElseThrow()
              .next(new SnapshotQueryContext(dataset.name(), tableEnv, plan.configuration()), Optional.empty());
          if (first.isEmpty()) {
            problems.add("applyChangesFromSnapshot into '" + dataset.name() + "': the snapshot function returned"
                + " no snapshot for Optional.empty() (no version applied yet), so the target's columns are unknown."
                + " Return the first snapshot (its rows may be empty) when given no version.");
            failed.add(dataset.name());
            return true;
          }
          snapshotType = rowType(first.get().rows());
        } catch (RuntimeException e) {
          problems.add("applyChangesFromSnapshot into '" + dataset.name() + "': the snapshot function failed: "
              + e.getMessage());
          failed.add(dataset.name());
          return true;
        }
      }
      List<String> snapshotProblems = SnapshotChanges.problems(flow, snapshotType);
      if (!snapshotProblems.isEmpty()) {
        problems.addAll(snapshotProblems);
        failed.add(dataset.name());
        return true;
      }
      register(dataset.name(), SnapshotChanges.of(flow, snapshotType).layout().targetType());
      return true;
    }

    /**
     * Asks the planner for an append-only stream of the query as it will run, with the views it
     * reads inlined (a view's placeholder would hide an outer join's retractions).
     */
    private void checkAppendOnly(DatasetSpec dataset, List<String> datasetProblems) {
      updatingError(dataset).ifPresent(e -> datasetProblems.add(AnalysisErrors.updatingStreamingQuery(dataset, e)));
    }

    /** The planner's refusal to make an append-only stream of {@code dataset}'s query, if it refuses. */
    private Optional<TableException> updatingError(DatasetSpec dataset) {
      PlanTables inlined = new PlanTables(tableEnv, datasets::get,
          name -> inputs.getOrDefault(name, List.of()), plan.configuration(), new PlanTables.PersistedTables() {
            @Override
            public Table snapshot(String name) {
              return tableEnv.from(quoted(INLINED_PREFIX + name));
            }

            @Override
            public Table stream(String name) {
              return tableEnv.from(quoted(INLINED_PREFIX + name + SqlText.STREAM_SUFFIX));
            }

            @Override
            public String lookup(String name) {
              return quoted(name + SqlText.LOOKUP_SUFFIX); // a catalog table: no temporary view shadows it
            }

            @Override
            public Table source(String name, Source source) {
              return tableEnv.from(quoted("__source_" + name));
            }
          });
      try {
        tableEnv.toDataStream(inlined.build(dataset));
        return Optional.empty();
      } catch (TableException e) {
        if (String.valueOf(e.getMessage()).contains("update")) {
          return Optional.of(e);
        }
        throw e;
      } finally {
        inlined.dropRegisteredViews();
      }
    }

    /**
     * A stream joined with a table's snapshot would be a regular join, which keeps both sides in state
     * and revises rows it emitted, against the rows the table had when the job started: refused, with
     * the lookup join that gives DLT's stream-static semantics as the fix. A lookup is no snapshot read.
     */
    private void checkNoSnapshotReads(DatasetSpec reader, String current, String through,
        List<String> datasetProblems) {
      for (Input input : inputs.getOrDefault(current, List.of())) {
        DatasetSpec read = datasets.get(input.dataset());
        if (read == null || input.mode() == ReadMode.LOOKUP) {
          continue; // a lookup of a view is the plan's to refuse
        }
        if (read.kind() == DatasetKind.VIEW) {
          checkNoSnapshotReads(reader, read.name(), read.name(), datasetProblems);
        } else if (input.mode() == ReadMode.SNAPSHOT) {
          datasetProblems.add(AnalysisErrors.snapshotReadInStreamingTable(reader, read.name(), through));
        }
      }
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

    private Table sqlQuery(String sql, Set<Input> reads) {
      for (String name : SqlText.identifiers(sql)) {
        if (datasets.containsKey(name) && !schemas.containsKey(name)) {
          if (failed.contains(name)) {
            throw new InputFailedException();
          }
          throw new NotYetResolvedException(name);
        }
      }
      for (String looked : SqlText.lookupReads(sql)) {
        if (!datasets.containsKey(looked)) {
          throw new UndefinedDatasetException(looked, "sql() (the table before FOR SYSTEM_TIME AS OF)");
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
      return quoted(dataset + SqlText.LOOKUP_SUFFIX);
    }

    @Override
    public Table source(String dataset, Source source) {
      RowType rowType;
      try {
        rowType = sourceSchemas.schemaOf(dataset, source);
      } catch (RuntimeException e) {
        throw new SourceSchemaException(e.getMessage(), e);
      }
      String name = "__source_" + dataset;
      Optional<AutoLoader.Watermark> watermark = EventTime.watermark(source);
      createPlaceholder(name, rowType, watermark.map(w -> w.column()),
          watermark.map(w -> EventTime.delayedBy(w.column(), w)).orElse(""));
      return tableEnv.from(quoted(name));
    }

    private Table placeholder(String dataset, String registeredName, String call) {
      if (!datasets.containsKey(dataset)) {
        throw new UndefinedDatasetException(dataset, call);
      }
      if (failed.contains(dataset)) {
        throw new InputFailedException();
      }
      if (!schemas.containsKey(dataset)) {
        throw new NotYetResolvedException(dataset);
      }
      return tableEnv.from(quoted(registeredName));
    }

    private void register(String dataset, RowType rowType) {
      schemas.put(dataset, rowType);
      createPlaceholder(dataset, rowType);
      createPlaceholder(dataset + SqlText.STREAM_SUFFIX, rowType);
      // the same placeholders under other names, for the inlined check: a temporary view named like
      // the catalog table it reads would resolve to itself
      createPlaceholder(INLINED_PREFIX + dataset, rowType);
      createPlaceholder(INLINED_PREFIX + dataset + SqlText.STREAM_SUFFIX, rowType);
      createLookupPlaceholder(dataset + SqlText.LOOKUP_SUFFIX, rowType);
    }

    /**
     * The dimension of a lookup join must be a table whose connector can look rows up (datagen cannot):
     * the {@code tributary-delta} connector, whose table is opened only when a job runs, so the
     * placeholder's path is never read.
     */
    private void createLookupPlaceholder(String name, RowType rowType) {
      CatalogTable table = CatalogTable.newBuilder()
          .schema(Schema.newBuilder().fromRowDataType(
              TypeConversions.fromLogicalToDataType(EventTime.physical(rowType))).build())
          .options(Map.of("connector", DeltaTableFactory.IDENTIFIER,
              DeltaTableFactory.PATH.key(), "analysis placeholder of " + name + ", never read"))
          .build();
      try {
        catalog.createTable(new ObjectPath(RecordingCatalog.DATABASE, name), table, true);
      } catch (Exception e) {
        throw new IllegalStateException("cannot register placeholder " + name, e);
      }
    }

    private void createPlaceholder(String name, RowType rowType) {
      Optional<String> rowtime = EventTime.rowtimeColumn(rowType);
      createPlaceholder(name, rowType, rowtime, rowtime.map(c -> "`" + c + "`").orElse(""));
    }

    private void createPlaceholder(String name, RowType rowType, Optional<String> rowtime, String watermarkSql) {
      CatalogTable table = CatalogTable.newBuilder()
          .schema(EventTime.schema(rowType, rowtime, watermarkSql))
          .options(Map.of("connector", "datagen", "number-of-rows", "0"))
          .build();
      try {
        catalog.createTable(new ObjectPath(RecordingCatalog.DATABASE, name), table, true);
      } catch (Exception e) {
        throw new IllegalStateException("cannot register placeholder " + name, e);
      }
    }
  }

  static RowType rowType(Table table) {
    return EventTime.rowType(table.getResolvedSchema());
  }

  private static String quoted(String name) {
    return "`" + name + "`";
  }

  /** A query read a dataset the pipeline does not define. */
  private static final class UndefinedDatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String dataset;
    final String call;

    UndefinedDatasetException(String dataset, String call) {
      super(dataset, null, false, false);
      this.dataset = dataset;
      this.call = call;
    }
  }

  /** A query read a dataset whose own analysis failed: only that dataset's problem is reported. */
  private static final class InputFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFailedException() {
      super("an input failed analysis", null, false, false);
    }
  }

  /** An external source's schema could not be derived; its message says why and how to fix it. */
  private static final class SourceSchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceSchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
