package io.tributary.dsl.plan;

import io.tributary.dsl.QueryFunction;
import io.tributary.dsl.Source;
import java.util.Objects;
import java.util.Optional;

/** How a dataset's rows are defined: one of four forms. */
public sealed interface Query {

  /** The input this query names without running anything, or empty when only analysis can tell. */
  Optional<Input> explicitInput();

  /** One deterministic line for {@code describe()}. */
  String describe();

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
    public String describe() {
      return "sql " + sql.strip().replaceAll("\\s+", " ");
    }
  }
}
