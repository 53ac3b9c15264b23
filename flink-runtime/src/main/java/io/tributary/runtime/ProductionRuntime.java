package io.tributary.runtime;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Expectation;
import io.tributary.quality.ExpectationValidator;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.SourceSchemas;
import io.tributary.runtime.delta.DeltaTableReader;
import io.tributary.runtime.engine.CaughtUpSignals;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.engine.RunSettings;
import io.tributary.runtime.engine.UpdateRunner;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.source.CaughtUpRegistry;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.List;

/** Wires the production pieces: Auto Loader and Delta source schemas, expectation checks, Delta I/O, caught-up signals. */
final class ProductionRuntime {

  private ProductionRuntime() {}

  /**
   * {@code plan} analyzed for a pipeline stored under {@code storage}.
   *
   * @param storeInferredSchemas false for validation, which writes nothing
   */
  static io.tributary.runtime.analysis.ResolvedPlan analyze(PipelineStorage storage, boolean storeInferredSchemas,
      io.tributary.dsl.plan.LogicalPlan plan) {
    java.util.Map<String, String> flowTargets = new java.util.HashMap<>();
    plan.appendFlows().forEach(flow -> flow.target().ifPresent(target -> flowTargets.put(flow.name(), target)));
    return analyzer(storage, storeInferredSchemas, flowTargets).analyze(plan);
  }

  /**
   * The analyzer of a pipeline stored under {@code storage}.
   *
   * @param flowTargets the table each append flow writes, so its source's table can be looked at
   */
  private static Analyzer analyzer(PipelineStorage storage, boolean storeInferredSchemas,
      java.util.Map<String, String> flowTargets) {
    SourceSchemas schemas = (dataset, source) -> {
      if (source instanceof AutoLoader autoLoader) {
        return AutoLoaderSchemas.resolve(autoLoader, storage.schemaLocation(dataset), storage.hadoopConf(),
            storeInferredSchemas, hasLegacyRescuedColumn(storage, flowTargets.getOrDefault(dataset, dataset), autoLoader));
      }
      if (source instanceof DeltaSource delta) {
        return DeltaTableReader.schema(delta.path()).orElseThrow(() -> new IllegalArgumentException(
            DefinitionErrors.deltaSourceNotATable(delta.path())));
      }
      throw new IllegalArgumentException(source.getClass().getName() + " is not a source this runtime reads."
          + " Use AutoLoader or DeltaSource.");
    };
    Analyzer.DatasetCheck expectations = (dataset, table) -> {
      List<String> problems = new java.util.ArrayList<>(ExpectationValidator.validate(dataset.name(),
          dataset.expectations().stream().filter(e -> !e.isUnique()).toList(), table));
      List<String> columns = table.getResolvedSchema().getColumnNames();
      dataset.expectations().stream().filter(Expectation::isUnique).forEach(e -> e.uniqueKey().stream()
          .filter(column -> !columns.contains(column)).forEach(column -> problems.add("Dataset '" + dataset.name()
              + "': expectation '" + e.name() + "' names column '" + column + "', which does not exist. Available"
              + " columns: " + columns + ". Check the columns passed to expectUnique().")));
      return problems;
    };
    return new Analyzer(schemas, List.of(expectations));
  }

  /**
   * Whether the table {@code table} was created when a declared-schema Auto Loader source added
   * {@code _rescued_data} by default, and still has it: such a source keeps the column (unless its
   * {@code rescuedDataColumn} option says otherwise), so the table's schema and the state saved with it
   * stay compatible. A full refresh of the table drops it; {@code rescuedDataColumn} set to another name,
   * or {@code false}, changes the schema as any declared change would.
   */
  private static boolean hasLegacyRescuedColumn(PipelineStorage storage, String table, AutoLoader source) {
    if (source.schemaDdl().isEmpty() || source.options().containsKey("rescuedDataColumn")
        || source.options().containsKey("cloudFiles.rescuedDataColumn")) {
      return false;
    }
    return DeltaTableReader.schema(storage.tablePath(table))
        .map(type -> type.getFieldNames().contains(LEGACY_RESCUED_COLUMN))
        .orElse(false);
  }

  private static final String LEGACY_RESCUED_COLUMN = "_rescued_data";

  static UpdateRunner runner(EmbeddedCluster cluster, PipelineStorage storage, RunSettings settings) {
    CaughtUpSignals signals = new CaughtUpSignals() {
      @Override
      public java.util.concurrent.CompletableFuture<Void> await(String updateId, String sourceId) {
        return CaughtUpRegistry.await(updateId, sourceId);
      }

      @Override
      public void release(String updateId) {
        CaughtUpRegistry.release(updateId);
      }
    };
    return new UpdateRunner(cluster, storage, new DeltaJobIo(storage), new QualityStages(storage), signals, settings);
  }
}
