package io.tributary.runtime.analysis;

import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.ReadMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The tables of datasets as a job sees them: a view is inlined (its query built once, where it is
 * read), a persisted dataset comes from {@link PersistedTables}. A SQL query gets its known inputs
 * registered under the names it uses ({@code name}, {@code name$stream} and, for the dimension of a
 * lookup join, {@code name$lookup}). Shared by the
 * translator (real sources and sinks) and the analyzer's check of what a streaming table's query
 * really produces once its views are inlined.
 */
public final class PlanTables implements TableResolver {

  /** Where persisted datasets and external sources come from. */
  public interface PersistedTables {
    Table snapshot(String dataset);

    Table stream(String dataset);

    /**
     * Registers the lookup-capable table of persisted {@code dataset} under
     * {@code `dataset$lookup`} (once) and returns that quoted name.
     */
    String lookup(String dataset);

    Table source(String dataset, Source source);
  }

  private final TableEnvironment tableEnv;
  private final Function<String, DatasetSpec> datasets;
  private final Function<String, List<Input>> inputs;
  private final Map<String, String> configuration;
  private final PersistedTables persisted;
  private final Map<String, Table> views = new HashMap<>();
  private final List<String> registered = new ArrayList<>();

  public PlanTables(
      TableEnvironment tableEnv,
      Function<String, DatasetSpec> datasets,
      Function<String, List<Input>> inputs,
      Map<String, String> configuration,
      PersistedTables persisted) {
    this.tableEnv = tableEnv;
    this.datasets = datasets;
    this.inputs = inputs;
    this.configuration = Map.copyOf(configuration);
    this.persisted = persisted;
  }

  /** The quoted name under which a lookup join finds persisted {@code dataset}: {@code `dataset$lookup`}. */
  public static String lookupTableName(String dataset) {
    return "`" + dataset + SqlText.LOOKUP_SUFFIX + "`";
  }

  /** The table of {@code dataset}'s query, with views inlined. */
  public Table build(DatasetSpec dataset) {
    return new DatasetQueries(tableEnv, this, configuration)
        .build(dataset, (sql, reads) -> sqlQuery(dataset.name(), sql))
        .table();
  }

  @Override
  public Table snapshot(String dataset) {
    DatasetSpec spec = datasets.apply(dataset);
    return spec.kind() == DatasetKind.VIEW ? view(spec) : persisted.snapshot(dataset);
  }

  @Override
  public Table stream(String dataset) {
    DatasetSpec spec = datasets.apply(dataset);
    return spec.kind() == DatasetKind.VIEW ? view(spec) : persisted.stream(dataset);
  }

  /** A lookup reads a persisted table; a view has none (the plan refuses such a lookup). */
  @Override
  public String lookup(String dataset) {
    return persisted.lookup(dataset);
  }

  @Override
  public Table source(String dataset, Source source) {
    return persisted.source(dataset, source);
  }

  /** Drops the temporary views this instance registered for SQL queries. */
  public void dropRegisteredViews() {
    registered.forEach(tableEnv::dropTemporaryView);
    registered.clear();
  }

  private Table view(DatasetSpec view) {
    Table table = views.get(view.name());
    if (table == null) {
      table = build(view);
      views.put(view.name(), table);
    }
    return table;
  }

  private Table sqlQuery(String dataset, String rewrittenSql) {
    for (Input input : inputs.apply(dataset)) {
      if (input.mode() == ReadMode.LOOKUP) {
        lookup(input.dataset());
        continue;
      }
      boolean stream = input.mode() == ReadMode.STREAM;
      String name = "`" + input.dataset() + (stream ? SqlText.STREAM_SUFFIX : "") + "`";
      Table table = stream ? stream(input.dataset()) : snapshot(input.dataset());
      tableEnv.dropTemporaryView(name);
      tableEnv.createTemporaryView(name, table);
      registered.add(name);
    }
    return tableEnv.sqlQuery(rewrittenSql);
  }
}
