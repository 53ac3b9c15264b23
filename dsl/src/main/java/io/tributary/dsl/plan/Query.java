package io.tributary.dsl.plan;

import io.tributary.dsl.QueryFunction;
import io.tributary.dsl.Source;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** How a dataset's rows are defined: one of four forms. */
public sealed interface Query {

  /** The input this query names without running anything, or empty when only analysis can tell. */
  Optional<Input> explicitInput();

  /** One deterministic line for {@code describe()}. */
  String describe();

  /**
   * The result of the function for this form of query: the exhaustive dispatch on queries (Java 17 has
   * no pattern switch), used instead of {@code instanceof}; a new form is a new parameter here.
   */
  <R> R match(
      Function<? super DatasetRead, ? extends R> datasetRead,
      Function<? super SourceRead, ? extends R> sourceRead,
      Function<? super TableApiQuery, ? extends R> tableApi,
      Function<? super SqlQuery, ? extends R> sql);

  /** {@code from("dataset")}: the rows of another dataset of the pipeline. */
  record DatasetRead(Input input) implements Query {
    public DatasetRead {
      Objects.requireNonNull(input, "input");
    }

    @Override
    public Optional<Input> explicitInput() {
      return Optional.of(input);
    }

    @Override
    public <R> R match(
        Function<? super DatasetRead, ? extends R> datasetRead,
        Function<? super SourceRead, ? extends R> sourceRead,
        Function<? super TableApiQuery, ? extends R> tableApi,
        Function<? super SqlQuery, ? extends R> sql) {
      return datasetRead.apply(this);
    }

    @Override
    public String describe() {
      return "from " + input.describe();
    }
  }

  /** {@code from(Source)}: data from outside the pipeline. */
  record SourceRead(Source source) implements Query {
    public SourceRead {
      Objects.requireNonNull(source, "source");
    }

    @Override
    public Optional<Input> explicitInput() {
      return Optional.empty();
    }

    @Override
    public <R> R match(
        Function<? super DatasetRead, ? extends R> datasetRead,
        Function<? super SourceRead, ? extends R> sourceRead,
        Function<? super TableApiQuery, ? extends R> tableApi,
        Function<? super SqlQuery, ? extends R> sql) {
      return sourceRead.apply(this);
    }

    @Override
    public String describe() {
      return "from " + source.describe();
    }
  }

  /** {@code query(ctx -> table)}: a Table API program; its inputs are known after analysis. */
  record TableApiQuery(QueryFunction function) implements Query {
    public TableApiQuery {
      Objects.requireNonNull(function, "function");
    }

    @Override
    public Optional<Input> explicitInput() {
      return Optional.empty();
    }

    @Override
    public <R> R match(
        Function<? super DatasetRead, ? extends R> datasetRead,
        Function<? super SourceRead, ? extends R> sourceRead,
        Function<? super TableApiQuery, ? extends R> tableApi,
        Function<? super SqlQuery, ? extends R> sql) {
      return tableApi.apply(this);
    }

    @Override
    public String describe() {
      return "query <Table API>";
    }
  }

  /** {@code sql("SELECT …")}: Flink SQL, where {@code STREAM(name)} reads a dataset as a stream. */
  record SqlQuery(String sql) implements Query {
    public SqlQuery {
      Objects.requireNonNull(sql, "sql");
    }

    @Override
    public Optional<Input> explicitInput() {
      return Optional.empty();
    }

    @Override
    public <R> R match(
        Function<? super DatasetRead, ? extends R> datasetRead,
        Function<? super SourceRead, ? extends R> sourceRead,
        Function<? super TableApiQuery, ? extends R> tableApi,
        Function<? super SqlQuery, ? extends R> sql) {
      return sql.apply(this);
    }

    @Override
    public String describe() {
      return "sql " + sql.strip().replaceAll("\\s+", " ");
    }
  }
}
