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
   * The analyzer of a pipeline stored under {@code storage}.
   *
   * @param storeInferredSchemas false for validation, which writes nothing
   */
  static Analyzer analyzer(PipelineStorage storage, boolean storeInferredSchemas) {
    SourceSchemas schemas = (dataset, source) -> {
      if (source instanceof AutoLoader autoLoader) {
        return AutoLoaderSchemas.resolve(autoLoader, storage.schemaLocation(dataset), storage.hadoopConf(),
            storeInferredSchemas);
      }
      if (source instanceof DeltaSource delta) {
        return DeltaTableReader.schema(delta.path(), storage.hadoopConf()).orElseThrow(() -> new IllegalArgumentException(
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
