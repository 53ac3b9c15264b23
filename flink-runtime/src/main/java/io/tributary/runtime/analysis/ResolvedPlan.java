package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.ReadMode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.table.types.logical.RowType;

/**
 * A logical plan after analysis: every read known (so the order is final) and every dataset's row
 * type derived by Flink's planner, and how each materialized table is refreshed ({@link Refresh}).
 */
public record ResolvedPlan(
    LogicalPlan plan, Map<String, RowType> schemas, Map<String, Refresh> refreshes) {

  public ResolvedPlan {
    Objects.requireNonNull(plan, "plan");
    schemas = Map.copyOf(schemas);
    refreshes = Map.copyOf(refreshes);
  }

  /** A plan whose materialized tables are each recomputed in full. */
  public ResolvedPlan(LogicalPlan plan, Map<String, RowType> schemas) {
    this(plan, schemas, Map.of());
  }

  /** How materialized table {@code dataset} is refreshed, as analysis decided from the planner. */
  public Refresh refresh(String dataset) {
    Refresh refresh = refreshes.get(dataset);
    return refresh != null
        ? refresh
        : Refresh.recompute("its query was not planned as a streaming query");
  }

  /**
   * This plan as a continuous update runs it: an incremental materialized table that a dataset looks
   * up is recomputed by a BATCH job instead, which the update runs before the streams start (their
   * first rows find its rows) and again whenever one of its inputs has a new version. Every other
   * incremental table is maintained by its streaming job, as in triggered updates.
   */
  public ResolvedPlan forContinuousUpdate() {
    Set<String> lookedUp = new HashSet<>();
    plan.datasets()
        .forEach(
            d ->
                plan.inputsOf(d.name()).stream()
                    .filter(input -> input.mode() == ReadMode.LOOKUP)
                    .forEach(input -> lookedUp.add(input.dataset())));
    Map<String, Refresh> inMode = new LinkedHashMap<>();
    refreshes.forEach(
        (dataset, refresh) ->
            inMode.put(
                dataset,
                refresh.incremental() && lookedUp.contains(dataset)
                    ? Refresh.recompute(
                        "a streaming table looks it up, so a continuous update computes it before the"
                            + " streams start and recomputes it whenever one of its inputs has a new"
                            + " version; triggered updates refresh it incrementally")
                    : refresh));
    return new ResolvedPlan(plan, schemas, inMode);
  }

  /** The row type of {@code dataset}. */
  public RowType schema(String dataset) {
    RowType type = schemas.get(dataset);
    if (type == null) {
      throw new IllegalStateException("no schema was derived for dataset " + dataset);
    }
    return type;
  }
}
