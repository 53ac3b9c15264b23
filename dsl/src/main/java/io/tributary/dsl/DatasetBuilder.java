package io.tributary.dsl;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Expectation;
import io.tributary.dsl.plan.ExpectationAction;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The calls every kind of dataset shares: its query, its expectations, its comment. Each call
 * replaces the dataset's immutable spec in the pipeline and returns this handle.
 *
 * @param <SELF> the concrete handle, so chains keep their type
 */
public abstract sealed class DatasetBuilder<SELF extends DatasetBuilder<SELF>>
    permits PersistedDatasetBuilder, ViewBuilder {

  private final Pipeline pipeline;
  private final int index;

  DatasetBuilder(Pipeline pipeline, int index) {
    this.pipeline = pipeline;
    this.index = index;
  }

  /** The dataset's name. */
  public String name() {
    return pipeline.dataset(index).name();
  }

  /**
   * Reads another dataset of the pipeline: as a stream on a streaming table (only new rows each
   * update), as a snapshot on a table or view.
   */
  public SELF from(String dataset) {
    Objects.requireNonNull(dataset, "dataset");
    DatasetKind kind = pipeline.dataset(index).kind();
    Input input =
        kind == DatasetKind.STREAMING_TABLE ? Input.stream(dataset) : Input.snapshot(dataset);
    return update(spec -> spec.withQuery(new Query.DatasetRead(input)));
  }

  /** Reads data from outside the pipeline, such as files through {@link AutoLoader}. */
  public SELF from(Source source) {
    Objects.requireNonNull(source, "source");
    return update(spec -> spec.withQuery(new Query.SourceRead(source)));
  }

  /**
   * Defines the rows with Flink's Table API; each {@code ctx.read}, {@code ctx.readStream} and
   * {@code ctx.lookupJoin} is an input.
   */
  public SELF query(QueryFunction query) {
    Objects.requireNonNull(query, "query");
    return update(spec -> spec.withQuery(new Query.TableApiQuery(query)));
  }

  /**
   * Defines the rows with Flink SQL over the pipeline's datasets; {@code STREAM(name)} reads a
   * dataset as a stream, a bare name reads its snapshot, and {@code name FOR SYSTEM_TIME AS OF
   * s.proc_time} looks a table up, as of its latest version, from each row of a stream {@code s}
   * with a processing-time column ({@code SELECT *, PROCTIME() AS proc_time FROM STREAM(events)}).
   */
  public SELF sql(String query) {
    Objects.requireNonNull(query, "query");
    return update(spec -> spec.withQuery(new Query.SqlQuery(query)));
  }

  /** A description stored with the table and shown by {@code tributary graph}. */
  public SELF comment(String text) {
    Objects.requireNonNull(text, "text");
    return update(spec -> spec.withComment(text));
  }

  /**
   * Keeps the first row seen for each combination of {@code keys} and drops the later ones (Spark's
   * {@code dropDuplicates}); on a streaming table the keys seen are kept in Flink state across updates.
   */
  public SELF dropDuplicates(String... keys) {
    List<String> columns = List.of(keys);
    return update(spec -> spec.withDropDuplicates(columns));
  }

  /** Counts the rows failing {@code constraint} and keeps them (DLT's {@code expect}). */
  public SELF expect(String name, String constraint) {
    return expectation(name, constraint, ExpectationAction.WARN);
  }

  /** Drops the rows failing {@code constraint} and counts them (DLT's {@code expect_or_drop}). */
  public SELF expectOrDrop(String name, String constraint) {
    return expectation(name, constraint, ExpectationAction.DROP);
  }

  /** Fails the update on the first row failing {@code constraint} (DLT's {@code expect_or_fail}). */
  public SELF expectOrFail(String name, String constraint) {
    return expectation(name, constraint, ExpectationAction.FAIL);
  }

  /**
   * Counts the rows whose {@code columns} repeat those of an earlier row of the dataset, in this or
   * an earlier update, and keeps them (a primary-key check DLT lacks); named {@code unique_<columns>}.
   * The keys seen live in Flink state.
   */
  public SELF expectUnique(String... columns) {
    return uniqueExpectation(columns, ExpectationAction.WARN);
  }

  /** {@link #expectUnique}, failing the update at the first repeated key. */
  public SELF expectUniqueOrFail(String... columns) {
    return uniqueExpectation(columns, ExpectationAction.FAIL);
  }

  private SELF uniqueExpectation(String[] columns, ExpectationAction action) {
    if (columns.length == 0) {
      throw new IllegalArgumentException(
          "Dataset '" + name() + "': expectUnique needs at least one column.");
    }
    Expectation unique = Expectation.unique(List.of(columns), action);
    return update(spec -> spec.withExpectation(unique));
  }

  /** {@link #expect} for each name and constraint of {@code constraints}, in name order. */
  public SELF expectAll(Map<String, String> constraints) {
    return expectations(constraints, ExpectationAction.WARN);
  }

  /** {@link #expectOrDrop} for each entry: a row failing any of them is dropped. */
  public SELF expectAllOrDrop(Map<String, String> constraints) {
    return expectations(constraints, ExpectationAction.DROP);
  }

  /** {@link #expectOrFail} for each entry: a row failing any of them fails the update. */
  public SELF expectAllOrFail(Map<String, String> constraints) {
    return expectations(constraints, ExpectationAction.FAIL);
  }

  private SELF expectations(Map<String, String> constraints, ExpectationAction action) {
    Objects.requireNonNull(constraints, "constraints");
    new TreeMap<>(constraints).forEach((name, constraint) -> expectation(name, constraint, action));
    return self();
  }

  private SELF expectation(String name, String constraint, ExpectationAction action) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(constraint, "constraint");
    return update(spec -> spec.withExpectation(new Expectation(name, constraint, action)));
  }

  final SELF update(UnaryOperator<DatasetSpec> change) {
    pipeline.updateDataset(index, change);
    return self();
  }

  @SuppressWarnings("unchecked")
  private SELF self() {
    return (SELF) this;
  }
}
