package io.tributary.dsl.plan;

import java.util.Objects;

/**
 * A named data quality constraint on a dataset: a SQL boolean expression over its columns, as DLT
 * writes them ({@code "timestamp > '2020-01-01'"}, {@code "email LIKE '%@%'"}, {@code CASE WHEN …}).
 * A row for which the constraint is {@code FALSE} or {@code NULL} fails it.
 */
public record Expectation(String name, String constraint, ExpectationAction action) {

  public Expectation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(constraint, "constraint");
    Objects.requireNonNull(action, "action");
  }

  String describe() {
    return action.dltName() + " " + name + ": " + constraint.strip().replaceAll("\\s+", " ");
  }
}
