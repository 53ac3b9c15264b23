package io.tributary.runtime.analysis;

import java.util.List;
import java.util.Objects;

/**
 * How an update refreshes a materialized table, decided at analysis from Flink's planner (DLT's
 * {@code planning_information}): {@link Technique#INCREMENTAL} when its query only filters, projects,
 * inner-equi-joins and groups append-only streaming tables with COUNT, SUM, AVG, MIN, MAX (and COUNT
 * DISTINCT) and the planner derives an upsert key ({@link #keys}); otherwise
 * {@link Technique#COMPLETE_RECOMPUTE}, with the {@link #reason} why.
 */
public record Refresh(Technique technique, String reason, List<String> keys) {

  /** The ways a materialized table is refreshed, named as the event log names them. */
  public enum Technique {
    /** The query's changelog is computed from the inputs' new rows and applied to the table by key. */
    INCREMENTAL,
    /** The query runs over every row of its inputs and the result replaces the table. */
    COMPLETE_RECOMPUTE
  }

  public Refresh {
    Objects.requireNonNull(technique, "technique");
    Objects.requireNonNull(reason, "reason");
    keys = List.copyOf(keys);
  }

  static Refresh incremental(List<String> keys) {
    return new Refresh(
        Technique.INCREMENTAL,
        "the planner derives the upsert key "
            + keys
            + " and every operator of the query maintains its result from new input rows",
        keys);
  }

  static Refresh recompute(String reason) {
    return new Refresh(Technique.COMPLETE_RECOMPUTE, reason, List.of());
  }

  public boolean incremental() {
    return technique == Technique.INCREMENTAL;
  }
}
