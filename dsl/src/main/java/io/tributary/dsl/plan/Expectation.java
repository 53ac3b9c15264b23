package io.tributary.dsl.plan;

import java.util.List;
import java.util.Objects;

/**
 * A named data quality constraint on a dataset: a SQL boolean expression over its columns, as DLT
 * writes them ({@code "timestamp > '2020-01-01'"}, {@code "email LIKE '%@%'"}, {@code CASE WHEN …}).
 * A row for which the constraint is {@code FALSE} or {@code NULL} fails it.
 *
 * <p>Or, beyond DLT, a uniqueness expectation ({@code expectUnique("order_id")}): a row fails it when
 * an earlier row of the dataset, in this or an earlier update, had the same {@code uniqueKey}.
 *
 * @param uniqueKey the columns that must be unique, or empty for a SQL constraint
 */
public record Expectation(
    String name, String constraint, ExpectationAction action, List<String> uniqueKey) {

  public Expectation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(constraint, "constraint");
    Objects.requireNonNull(action, "action");
    uniqueKey = List.copyOf(uniqueKey);
  }

  /** A SQL constraint. */
  public Expectation(String name, String constraint, ExpectationAction action) {
    this(name, constraint, action, List.of());
  }

  /** That no two rows of the dataset share {@code columns}, named {@code unique_<columns>}. */
  public static Expectation unique(List<String> columns, ExpectationAction action) {
    return new Expectation(
        "unique_" + String.join("_", columns),
        "UNIQUE(" + String.join(", ", columns) + ")",
        action,
        columns);
  }

  /** Whether this is a uniqueness expectation rather than a SQL constraint. */
  public boolean isUnique() {
    return !uniqueKey.isEmpty();
  }

  String describe() {
    return action.dltName() + " " + name + ": " + constraint.strip().replaceAll("\\s+", " ");
  }
}
