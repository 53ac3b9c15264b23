package io.tributary.runtime.analysis;

import io.tributary.dsl.QueryContext;
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

  private final String target;
  private final TableEnvironment tableEnv;
  private final Map<String, String> configuration;

  public SnapshotQueryContext(String target, TableEnvironment tableEnv, Map<String, String> configuration) {
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

  private IllegalArgumentException refused(String dataset) {
    return new IllegalArgumentException("applyChangesFromSnapshot into '" + target + "': the snapshot function"
        + " reads dataset '" + dataset + "' of the pipeline. A snapshot function reads from outside the"
        + " pipeline; to apply snapshots of a dataset, use fromSnapshot(\"" + dataset + "\").");
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
