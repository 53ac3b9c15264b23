package io.tributary.runtime;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Expectation;
import io.tributary.quality.ExpectationValidator;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.SourceSchemas;
import io.tributary.runtime.delta.DeltaTableReader;
import io.tributary.runtime.engine.JobExecutor;
import io.tributary.runtime.engine.RunSettings;
import io.tributary.runtime.engine.UpdateRunner;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.flink.table.types.logical.RowType;

/** Wires the production pieces: Auto Loader and Delta source schemas, expectation checks, Delta I/O. */
final class ProductionRuntime {

  private ProductionRuntime() {}

  /**
   * The analyzer of a pipeline stored under {@code storage}.
   *
   * @param storeInferredSchemas false for validation, which writes nothing
   */
  static Analyzer analyzer(PipelineStorage storage, boolean storeInferredSchemas) {
    return analyzer(storage, (dataset, autoLoader) -> AutoLoaderSchemas.resolve(autoLoader,
        storage.schemaLocation(dataset), storage.hadoopConf(), storeInferredSchemas));
  }

  /**
   * The analyzer of an update's first analysis, which writes nothing: the Auto Loader schemas it
   * derives are kept in {@code deferred}, to be stored once the update owns the storage.
   */
  static Analyzer analyzer(DeferredSchemas deferred, PipelineStorage storage) {
    return analyzer(storage, deferred::resolve);
  }

  private static Analyzer analyzer(PipelineStorage storage, BiFunction<String, AutoLoader, RowType> autoLoaders) {
    SourceSchemas schemas = (dataset, source) -> {
      if (source instanceof AutoLoader autoLoader) {
        return autoLoaders.apply(dataset, autoLoader);
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

  static UpdateRunner runner(JobExecutor executor, PipelineStorage storage, RunSettings settings) {
    return new UpdateRunner(executor, storage, new DeltaJobIo(storage), new QualityStages(storage), settings);
  }
}
