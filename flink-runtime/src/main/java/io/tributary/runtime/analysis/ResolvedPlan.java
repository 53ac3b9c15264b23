package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.LogicalPlan;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.table.types.logical.RowType;

/**
 * A logical plan after analysis: every read known (so the order is final) and every dataset's row
 * type derived by Flink's planner.
 */
public record ResolvedPlan(LogicalPlan plan, Map<String, RowType> schemas) {

  public ResolvedPlan {
    Objects.requireNonNull(plan, "plan");
    schemas = Map.copyOf(schemas);
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
