package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.LogicalPlan;
import java.util.Map;
import java.util.Objects;
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

  /** The row type of {@code dataset}. */
  public RowType schema(String dataset) {
    RowType type = schemas.get(dataset);
    if (type == null) {
      throw new IllegalStateException("no schema was derived for dataset " + dataset);
    }
    return type;
  }
}
