package io.tributary.runtime.analysis;

import io.tributary.dsl.QueryContext;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import io.tributary.dsl.plan.ReadMode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;

/**
 * Builds the {@link Table} of a dataset's query from the tables a {@link TableResolver} hands out,
 * recording what it reads. The one place that knows the four forms of {@link Query}, shared by the
 * analyzer (placeholders) and the translator (real jobs), so both see the same program.
 */
public final class DatasetQueries {

  private final TableEnvironment tableEnv;
  private final TableResolver resolver;
  private final Map<String, String> configuration;

  public DatasetQueries(TableEnvironment tableEnv, TableResolver resolver, Map<String, String> configuration) {
    this.tableEnv = tableEnv;
    this.resolver = resolver;
    this.configuration = Map.copyOf(configuration);
  }

  /** A dataset's table and the inputs its query read. */
  public record Built(Table table, List<Input> inputs) {
    public Built {
      Objects.requireNonNull(table, "table");
      inputs = List.copyOf(inputs);
    }
  }

  /** Runs the query of {@code dataset}; user errors surface as the planner's exceptions. */
  public Built build(DatasetSpec dataset, SqlRegistrar sqlRegistrar) {
    Query query = dataset.query().orElseThrow(() ->
        new IllegalStateException("dataset " + dataset.name() + " has no single query"));
    Set<Input> reads = new LinkedHashSet<>();
    Table table;
    if (query instanceof Query.DatasetRead read) {
      reads.add(read.input());
      table = read(read.input());
    } else if (query instanceof Query.SourceRead source) {
      table = resolver.source(dataset.name(), source.source());
    } else if (query instanceof Query.TableApiQuery api) {
      table = api.function().apply(new RecordingContext(reads));
    } else {
      table = sqlRegistrar.query(SqlText.rewriteStreamReads(((Query.SqlQuery) query).sql()), reads);
    }
    return new Built(table, List.copyOf(reads));
  }

  private Table read(Input input) {
    return input.mode() == ReadMode.STREAM ? resolver.stream(input.dataset()) : resolver.snapshot(input.dataset());
  }

  /**
   * Runs a rewritten SQL query and adds the datasets it read to {@code reads}: the analyzer learns
   * them from the planner's catalog lookups, the translator registers the known inputs first.
   */
  @FunctionalInterface
  public interface SqlRegistrar {
    Table query(String rewrittenSql, Set<Input> reads);
  }

  private final class RecordingContext implements QueryContext {
    private final Set<Input> reads;

    RecordingContext(Set<Input> reads) {
      this.reads = reads;
    }

    @Override
    public Table read(String dataset) {
      Objects.requireNonNull(dataset, "dataset");
      Input input = Input.snapshot(dataset);
      reads.add(input);
      return DatasetQueries.this.read(input);
    }

    @Override
    public Table readStream(String dataset) {
      Objects.requireNonNull(dataset, "dataset");
      Input input = Input.stream(dataset);
      reads.add(input);
      return DatasetQueries.this.read(input);
    }

    @Override
    public TableEnvironment tableEnvironment() {
      return tableEnv;
    }

    @Override
    public String conf(String key, String defaultValue) {
      return configuration.getOrDefault(key, defaultValue);
    }
  }
}
