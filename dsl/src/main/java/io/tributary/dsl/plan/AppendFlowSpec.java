package io.tributary.dsl.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code appendFlow}: a named query whose rows are appended to a streaming table that other
 * flows may append to as well (DLT's {@code append_flow}). Each flow keeps its own positions, so a
 * flow can be added to a pipeline later without touching the others' state. A {@code once} flow
 * (DLT's {@code once=True}, a backfill) reads its inputs once as a snapshot, in the first update
 * and again after a full refresh of its target. Records what the user said; {@code Pipeline.build()}
 * checks it.
 *
 * @param queries every query the user set, in order; a valid flow has exactly one
 */
public record AppendFlowSpec(
    String name, Optional<String> target, List<Query> queries, boolean once) {

  public AppendFlowSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(target, "target");
    queries = List.copyOf(queries);
  }

  /** A flow named {@code name} with no target or query yet. */
  public static AppendFlowSpec named(String name) {
    return new AppendFlowSpec(name, Optional.empty(), List.of(), false);
  }

  /** The flow's query, when exactly one was set. */
  public Optional<Query> query() {
    return queries.size() == 1 ? Optional.of(queries.get(0)) : Optional.empty();
  }

  /** Whether this flow appends into {@code dataset}. */
  public boolean writes(String dataset) {
    return target.isPresent() && target.get().equals(dataset);
  }

  public AppendFlowSpec withTarget(String dataset) {
    return new AppendFlowSpec(name, Optional.of(dataset), queries, once);
  }

  public AppendFlowSpec withQuery(Query query) {
    List<Query> copy = new ArrayList<>(queries);
    copy.add(readMode(query, once));
    return new AppendFlowSpec(name, target, copy, once);
  }

  /** This flow as a backfill: its {@code from("dataset")} reads become snapshot reads. */
  public AppendFlowSpec withOnce() {
    return new AppendFlowSpec(
        name, target, queries.stream().map(q -> readMode(q, true)).toList(), true);
  }

  /**
   * The flow's query as a dataset spec named after the flow, so the runtime builds and analyzes it
   * as it does a dataset's query (the flow's sources and state are named after the flow).
   */
  public DatasetSpec asDataset() {
    DatasetSpec spec = DatasetSpec.of(name, DatasetKind.STREAMING_TABLE, false);
    for (Query query : queries) {
      spec = spec.withQuery(query);
    }
    return spec;
  }

  private static Query readMode(Query query, boolean once) {
    if (!once) {
      return query;
    }
    return query.match(
        read -> new Query.DatasetRead(Input.snapshot(read.input().dataset())),
        source -> query,
        api -> query,
        sql -> query);
  }

  List<String> describeLines() {
    List<String> lines = new ArrayList<>();
    lines.add("append flow " + name + (once ? " (once)" : ""));
    queries.forEach(q -> lines.add("  " + q.describe()));
    return lines;
  }
}
