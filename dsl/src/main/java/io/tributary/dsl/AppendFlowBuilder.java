package io.tributary.dsl;

import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An {@code appendFlow} being declared; see {@link Pipeline#appendFlow}. Each call replaces the
 * flow's immutable spec in the pipeline and returns this handle.
 */
public final class AppendFlowBuilder {

  private final Pipeline pipeline;
  private final int index;

  AppendFlowBuilder(Pipeline pipeline, int index) {
    this.pipeline = pipeline;
    this.index = index;
  }

  /** The streaming table this flow appends to, declared with {@code createStreamingTable} or {@code streamingTable}. */
  public AppendFlowBuilder target(String dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return update(spec -> spec.withTarget(dataset));
  }

  /** Appends the rows of another dataset: new rows each update, or its snapshot for a {@link #once} flow. */
  public AppendFlowBuilder from(String dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return update(spec -> spec.withQuery(new Query.DatasetRead(Input.stream(dataset))));
  }

  /** Appends data from outside the pipeline, such as files through {@link AutoLoader}. */
  public AppendFlowBuilder from(Source source) {
    Objects.requireNonNull(source, "source");
    return update(spec -> spec.withQuery(new Query.SourceRead(source)));
  }

  /** Appends the rows of a Table API program; each {@code ctx.read}/{@code ctx.readStream} is an input. */
  public AppendFlowBuilder query(QueryFunction query) {
    Objects.requireNonNull(query, "query");
    return update(spec -> spec.withQuery(new Query.TableApiQuery(query)));
  }

  /** Appends the rows of a Flink SQL query; {@code STREAM(name)} reads a dataset as a stream. */
  public AppendFlowBuilder sql(String query) {
    Objects.requireNonNull(query, "query");
    return update(spec -> spec.withQuery(new Query.SqlQuery(query)));
  }

  /**
   * Makes this a backfill (DLT's {@code once=True}): it reads its inputs once, as they are, in the
   * pipeline's first update and again after a full refresh of its target, and never otherwise.
   */
  public AppendFlowBuilder once() {
    return update(AppendFlowSpec::withOnce);
  }

  private AppendFlowBuilder update(UnaryOperator<AppendFlowSpec> change) {
    pipeline.updateAppendFlow(index, change);
    return this;
  }
}
