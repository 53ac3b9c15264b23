package io.tributary.runtime.analysis;

import io.tributary.dsl.QueryContext;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import io.tributary.dsl.plan.ReadMode;
import java.util.ArrayList;
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

  public DatasetQueries(
      TableEnvironment tableEnv, TableResolver resolver, Map<String, String> configuration) {
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
    Query query =
        dataset
            .query()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "dataset " + dataset.name() + " has no single query"));
    Set<Input> reads = new LinkedHashSet<>();
    Table table =
        query.match(
            read -> {
              reads.add(read.input());
              return read(read.input());
            },
            source -> resolver.source(dataset.name(), source.source()),
            api -> api.function().apply(new RecordingContext(dataset.name(), reads)),
            sql -> sqlRegistrar.query(SqlText.rewrite(sql.sql()), reads));
    return new Built(table, List.copyOf(reads));
  }

  private Table read(Input input) {
    return input.mode() == ReadMode.STREAM
        ? resolver.stream(input.dataset())
        : resolver.snapshot(input.dataset());
  }

  /**
   * Runs a rewritten SQL query and adds the datasets it read to {@code reads}: the analyzer learns
   * them from the planner's catalog lookups, the translator registers the known inputs first.
   */
  @FunctionalInterface
  public interface SqlRegistrar {
    Table query(String rewrittenSql, Set<Input> reads);
  }

  /** A query is not a valid definition; the message is the whole problem, worded by {@link DefinitionErrors}. */
  public static final class DefinitionProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DefinitionProblem(String message) {
      super(message, null, false, false);
    }
  }

  private final class RecordingContext implements QueryContext {
    private final String reader;
    private final Set<Input> reads;
    private int lookupJoins;

    RecordingContext(String reader, Set<Input> reads) {
      this.reader = reader;
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
    public Table lookupJoin(Table stream, String dataset, String... keys) {
      return lookupJoin(stream, dataset, keys, false);
    }

    @Override
    public Table leftLookupJoin(Table stream, String dataset, String... keys) {
      return lookupJoin(stream, dataset, keys, true);
    }

    /**
     * The SQL lookup join a user would write, with USING semantics: the stream gets a processing-time
     * column (registered as a view), the dimension is the dataset's lookup registration, and the
     * columns are the stream's, then the dimension's except the keys (never the processing time).
     */
    private Table lookupJoin(Table stream, String dataset, String[] keys, boolean left) {
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(keys, "keys");
      reads.add(Input.lookup(dataset));
      String dimension = resolver.lookup(dataset);
      List<String> streamColumns = stream.getResolvedSchema().getColumnNames();
      List<String> dimensionColumns = tableEnv.from(dimension).getResolvedSchema().getColumnNames();
      List<String> keyList = List.of(keys);
      if (keyList.isEmpty()
          || !streamColumns.containsAll(keyList)
          || !dimensionColumns.containsAll(keyList)) {
        throw new DefinitionProblem(
            DefinitionErrors.lookupJoinKeys(
                reader, dataset, keyList, streamColumns, dimensionColumns));
      }
      List<String> added = dimensionColumns.stream().filter(c -> !keyList.contains(c)).toList();
      List<String> clashes = added.stream().filter(streamColumns::contains).toList();
      if (!clashes.isEmpty()) {
        throw new DefinitionProblem(
            DefinitionErrors.lookupJoinColumnClash(reader, dataset, clashes));
      }
      String procTime = "__proc_time";
      while (streamColumns.contains(procTime)) {
        procTime = "_" + procTime;
      }
      String view = "__lookup_" + reader + "_" + lookupJoins++;
      tableEnv.dropTemporaryView(quoted(view));
      tableEnv.createTemporaryView(quoted(view), stream);
      List<String> select = new ArrayList<>();
      streamColumns.forEach(c -> select.add("s." + quoted(c)));
      added.forEach(c -> select.add("d." + quoted(c)));
      List<String> on = keyList.stream().map(k -> "s." + quoted(k) + " = d." + quoted(k)).toList();
      return tableEnv.sqlQuery(
          "SELECT "
              + String.join(", ", select)
              + " FROM (SELECT *, PROCTIME() AS "
              + quoted(procTime)
              + " FROM "
              + quoted(view)
              + ") AS s "
              + (left ? "LEFT JOIN " : "JOIN ")
              + dimension
              + " FOR SYSTEM_TIME AS OF s."
              + quoted(procTime)
              + " AS d"
              + " ON "
              + String.join(" AND ", on));
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

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
