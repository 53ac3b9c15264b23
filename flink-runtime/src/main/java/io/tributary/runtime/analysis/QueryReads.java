package io.tributary.runtime.analysis;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.ReadMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.logical.RowType;

/**
 * Runs the queries of one {@link AnalysisRun} against placeholder tables: each dataset a query reads
 * is analyzed first, through the run's {@link Order}, when it is not known yet. A user's lambda
 * cannot be suspended, so a read it cannot be given (undefined, failed, or on a cycle) aborts it
 * with {@link InputUnavailable}; {@link #run} is the one place that turns that, and a query's other
 * failures, into a {@link QueryOutcome}.
 */
final class QueryReads implements TableResolver {

  /** How the run orders its datasets, which a query's reads follow. */
  interface Order {
    /** Analyzes {@code dataset} unless it was already; where it stands ({@code ANALYZING}: a cycle). */
    DatasetState resolve(String dataset);

    /** The dataset being analyzed now is left unresolved by its read of {@code dataset}, on a cycle. */
    void blockedOn(String dataset);
  }

  private final Map<String, DatasetSpec> datasets;
  private final StreamTableEnvironment tableEnv;
  private final RecordingCatalog catalog;
  private final Placeholders placeholders;
  private final SourceSchemas sourceSchemas;
  private final Order order;
  private final DatasetQueries queries;

  /** The row type of each external source read so far, by the name of the dataset it feeds. */
  private final Map<String, RowType> sourceTypes = new LinkedHashMap<>();

  QueryReads(
      Map<String, DatasetSpec> datasets,
      StreamTableEnvironment tableEnv,
      RecordingCatalog catalog,
      Placeholders placeholders,
      SourceSchemas sourceSchemas,
      Map<String, String> configuration,
      Order order) {
    this.datasets = datasets;
    this.tableEnv = tableEnv;
    this.catalog = catalog;
    this.placeholders = placeholders;
    this.sourceSchemas = sourceSchemas;
    this.order = order;
    this.queries = new DatasetQueries(tableEnv, this, configuration);
  }

  /** Runs {@code dataset}'s query; its problems are worded for {@code reader}. */
  QueryOutcome run(DatasetSpec dataset, QueryOutcome.Reader reader) {
    Optional<Source> source =
        dataset
            .query()
            .flatMap(
                query ->
                    query.<Optional<Source>>match(
                        read -> Optional.empty(),
                        s -> Optional.of(s.source()),
                        api -> Optional.empty(),
                        sql -> Optional.empty()));
    if (source.isPresent()) {
      try {
        sourceTypes.put(dataset.name(), sourceSchemas.schemaOf(dataset.name(), source.get()));
      } catch (RuntimeException e) {
        return QueryOutcome.problem(reader.sourceSchemaFailed(dataset.name(), e.getMessage()));
      }
    }
    try {
      return QueryOutcome.ran(queries.build(dataset, this::sqlQuery));
    } catch (InputUnavailable e) {
      return switch (e.reason) {
        case UNDEFINED ->
            QueryOutcome.problem(
                reader.undefinedInput(dataset.name(), e.dataset, datasets.keySet(), e.call));
        case FAILED -> QueryOutcome.inputFailed();
        case BLOCKED -> QueryOutcome.inputBlocked();
      };
    } catch (DatasetQueries.DefinitionProblem e) {
      return QueryOutcome.problem(e.getMessage());
    } catch (RuntimeException e) {
      return QueryOutcome.problem(reader.queryFailed(dataset, e));
    }
  }

  /**
   * Makes sure {@code dataset}, read by the dataset being analyzed, is analyzed; aborts the reading
   * query if it cannot be given.
   */
  private void require(String dataset) {
    DatasetState state = order.resolve(dataset);
    if (state == DatasetState.FAILED) {
      throw InputUnavailable.failed();
    }
    if (state != DatasetState.DONE) {
      order.blockedOn(dataset);
      throw InputUnavailable.blocked();
    }
  }

  /**
   * A SQL query: each dataset it may read (an identifier of its text) is analyzed first; then the
   * planner's catalog lookups are its reads.
   */
  private Table sqlQuery(String sql, Set<Input> reads) {
    for (String name : SqlText.identifiers(sql)) {
      if (datasets.containsKey(name)) {
        require(name);
      }
    }
    for (String looked : SqlText.lookupReads(sql)) {
      if (!datasets.containsKey(looked)) {
        throw InputUnavailable.undefined(looked, "sql() (the table before FOR SYSTEM_TIME AS OF)");
      }
    }
    catalog.resetLookups();
    Table table = tableEnv.sqlQuery(sql);
    for (String name : new TreeSet<>(catalog.lookups())) {
      String dataset = SqlText.withoutSuffix(name);
      ReadMode mode =
          name.endsWith(SqlText.STREAM_SUFFIX)
              ? ReadMode.STREAM
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
    return Placeholders.quoted(dataset + SqlText.LOOKUP_SUFFIX);
  }

  /** The source's rows, with the row type {@link #run} derived before the query was built. */
  @Override
  public Table source(String dataset, Source source) {
    RowType rowType = sourceTypes.get(dataset);
    if (rowType == null) {
      throw new IllegalStateException(
          "the source of " + dataset + " is read before its schema is derived");
    }
    String name = Placeholders.SOURCE_PREFIX + dataset;
    Optional<AutoLoader.Watermark> watermark = EventTime.watermark(source);
    placeholders.create(
        name,
        rowType,
        watermark.map(w -> w.column()),
        watermark.map(w -> EventTime.delayedBy(w.column(), w)).orElse(""));
    return tableEnv.from(Placeholders.quoted(name));
  }

  /** A placeholder table named {@code name} with {@code rowType}, which no query reads as a dataset. */
  Table table(String name, RowType rowType) {
    placeholders.create(name, rowType);
    return tableEnv.from(Placeholders.quoted(name));
  }

  private Table placeholder(String dataset, String registeredName, String call) {
    if (!datasets.containsKey(dataset)) {
      throw InputUnavailable.undefined(dataset, call);
    }
    require(dataset);
    return tableEnv.from(Placeholders.quoted(registeredName));
  }
}
