package io.tributary.runtime.engine;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.quality.ExpectationValidator;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.SourceSchemas;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.DeltaJobIo;
import io.tributary.runtime.translate.QualityStages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import org.apache.flink.table.types.logical.RowType;

/** Wires the production pieces: Auto Loader and Delta source schemas, expectation checks, Delta I/O. */
public final class ProductionRuntime {

  private ProductionRuntime() {}

  /**
   * The analyzer of {@code plan}, stored under {@code storage}.
   *
   * @param storeInferredSchemas false for validation, which writes nothing
   */
  public static Analyzer analyzer(
      PipelineStorage storage, boolean storeInferredSchemas, LogicalPlan plan) {
    BiPredicate<String, AutoLoader> legacy = legacyRescuedColumns(storage, plan);
    return analyzer(
        storage,
        (dataset, autoLoader) ->
            AutoLoaderSchemas.resolve(
                autoLoader,
                storage.schemaLocation(dataset),
                storage.hadoopConf(),
                storeInferredSchemas,
                legacy.test(dataset, autoLoader)));
  }

  /**
   * The analyzer of an update's first analysis of {@code plan}, which writes nothing: the Auto Loader
   * schemas it derives are kept in {@code deferred}, to be stored once the update owns the storage.
   */
  public static Analyzer analyzer(
      DeferredSchemas deferred, PipelineStorage storage, LogicalPlan plan) {
    BiPredicate<String, AutoLoader> legacy = legacyRescuedColumns(storage, plan);
    return analyzer(
        storage,
        (dataset, autoLoader) ->
            deferred.resolve(dataset, autoLoader, legacy.test(dataset, autoLoader)));
  }

  /**
   * Whether a dataset's Auto Loader source keeps the {@code _rescued_data} column a declared schema
   * had by default before it followed Auto Loader (no rescued data column unless named): so when the
   * table the source feeds (itself, or an append flow's target) was created with that column and
   * still has it, and the source does not set {@code rescuedDataColumn}. The table's schema and the
   * state saved with it stay as they were; a full refresh of the table drops the column.
   */
  private static BiPredicate<String, AutoLoader> legacyRescuedColumns(
      PipelineStorage storage, LogicalPlan plan) {
    Map<String, String> flowTargets = new HashMap<>();
    plan.appendFlows()
        .forEach(flow -> flow.target().ifPresent(target -> flowTargets.put(flow.name(), target)));
    return (dataset, source) -> {
      if (source.schemaDdl().isEmpty()
          || source.options().containsKey("rescuedDataColumn")
          || source.options().containsKey("cloudFiles.rescuedDataColumn")) {
        return false;
      }
      String table = flowTargets.getOrDefault(dataset, dataset);
      return DeltaTableReader.schema(storage.tablePath(table), storage.hadoopConf())
          .map(type -> type.getFieldNames().contains(LEGACY_RESCUED_COLUMN))
          .orElse(false);
    };
  }

  private static final String LEGACY_RESCUED_COLUMN = "_rescued_data";

  private static Analyzer analyzer(
      PipelineStorage storage, BiFunction<String, AutoLoader, RowType> autoLoaders) {
    SourceSchemas schemas =
        (dataset, source) ->
            source.match(
                autoLoader -> autoLoaders.apply(dataset, autoLoader),
                delta ->
                    DeltaTableReader.schema(delta.path(), storage.hadoopConf())
                        .orElseThrow(() -> DeltaTableException.sourceNotATable(delta.path())));
    Analyzer.DatasetCheck expectations =
        (dataset, table) -> {
          List<String> problems =
              new ArrayList<>(
                  ExpectationValidator.validate(
                      dataset.name(),
                      dataset.expectations().stream().filter(e -> !e.isUnique()).toList(),
                      table));
          problems.addAll(
              ExpectationValidator.validateUniqueKeys(
                  dataset.name(),
                  dataset.expectations(),
                  table.getResolvedSchema().getColumnNames()));
          return problems;
        };
    return new Analyzer(schemas, List.of(expectations));
  }

  public static UpdateRunner runner(
      JobExecutor executor, PipelineStorage storage, RunSettings settings) {
    return new UpdateRunner(
        executor, storage, new DeltaJobIo(storage), new QualityStages(storage), settings);
  }
}
