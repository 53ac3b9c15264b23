package io.tributary.runtime.analysis;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.QueryContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The {@link QueryContext} of an {@code applyChangesFromSnapshot} flow's snapshot function: the
 * table environment and the configuration, but no reads of the pipeline's datasets, whose
 * dependencies the plan could not see (a dataset is snapshotted with {@code fromSnapshot}).
 */
public final class SnapshotQueryContext implements QueryContext {

  private final String pipeline;
  private final String target;
  private final TableEnvironment tableEnv;
  private final Map<String, String> configuration;

  public SnapshotQueryContext(
      String pipeline,
      String target,
      TableEnvironment tableEnv,
      Map<String, String> configuration) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.target = Objects.requireNonNull(target, "target");
    this.tableEnv = Objects.requireNonNull(tableEnv, "tableEnv");
    this.configuration = Map.copyOf(configuration);
  }

  @Override
  public Table read(String dataset) {
    throw refused(dataset);
  }

  @Override
  public Table readStream(String dataset) {
    throw refused(dataset);
  }

  @Override
  public Table lookupJoin(Table stream, String dataset, String... keys) {
    throw refused(dataset);
  }

  @Override
  public Table leftLookupJoin(Table stream, String dataset, String... keys) {
    throw refused(dataset);
  }

  /** The user's snapshot function read a dataset: a definition problem, reported by the analyzer. */
  private PipelineDefinitionException refused(String dataset) {
    return PipelineDefinitionException.of(
        pipeline, List.of(AnalysisErrors.snapshotFunctionReadsDataset(target, dataset)));
  }

  @Override
  public TableEnvironment tableEnvironment() {
    return tableEnv;
  }

  @Override
  public String conf(String key, String defaultValue) {
    Objects.requireNonNull(key, "key");
    return configuration.getOrDefault(key, defaultValue);
  }
}
