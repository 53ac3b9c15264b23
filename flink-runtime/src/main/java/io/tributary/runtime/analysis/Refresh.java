package io.tributary.runtime.analysis;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How an update refreshes a materialized table, decided at analysis from Flink's planner (DLT's
 * {@code planning_information}): {@link Technique#INCREMENTAL} when its query only filters, projects,
 * inner-equi-joins and groups append-only streaming tables with COUNT, SUM, AVG, MIN, MAX (and COUNT
 * DISTINCT) and the planner derives an upsert key ({@link #keys}); otherwise
 * {@link Technique#COMPLETE_RECOMPUTE}, with the {@link #reason} why.
 *
 * <p>An incremental table's job reads its inputs' new rows itself, not through a table source the
 * planner pushes a projection into; {@link #columnsRead} says, from the same plan, which columns of
 * each input its query uses, where that is fewer than all of them, so the job reads only those.
 *
 * @param columnsRead per input table whose every column the query does not use, the columns it uses,
 *     in the table's order
 */
public record Refresh(
    Technique technique, String reason, List<String> keys, Map<String, List<String>> columnsRead) {

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
    columnsRead =
        columnsRead.entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
  }

  static Refresh incremental(List<String> keys, Map<String, List<String>> columnsRead) {
    return new Refresh(
        Technique.INCREMENTAL,
        "the planner derives the upsert key "
            + keys
            + " and every operator of the query maintains its result from new input rows",
        keys,
        columnsRead);
  }

  static Refresh recompute(String reason) {
    return new Refresh(Technique.COMPLETE_RECOMPUTE, reason, List.of(), Map.of());
  }

  /**
   * The columns of input table {@code input} the query uses, in the table's order, if it does not use
   * them all; empty when it reads every column (or the plan does not say).
   */
  public Optional<List<String>> columnsRead(String input) {
    return Optional.ofNullable(columnsRead.get(input));
  }

  public boolean incremental() {
    return technique == Technique.INCREMENTAL;
  }
}
