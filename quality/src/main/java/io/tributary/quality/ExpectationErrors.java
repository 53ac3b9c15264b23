package io.tributary.quality;

import io.tributary.dsl.plan.Expectation;
import java.util.List;

/**
 * The one place where expectation problems are worded. Each message says where (pipeline, dataset,
 * expectation and its constraint), what is wrong, and how to fix it; tests assert whole messages.
 */
final class ExpectationErrors {

  private ExpectationErrors() {}

  static String unknownColumn(String dataset, Expectation e, String column, List<String> columns) {
    return where(dataset, e)
        + " names column '"
        + column
        + "', which does not exist. Available columns: "
        + columns
        + ". Check the constraint.";
  }

  static String doesNotParse(String dataset, Expectation e, String reason, List<String> columns) {
    return where(dataset, e)
        + " does not parse as SQL: "
        + reason
        + ". Write a SQL condition over the columns "
        + columns
        + ", such as \"user_id IS NOT NULL\".";
  }

  static String notBoolean(String dataset, Expectation e, String type, List<String> columns) {
    return where(dataset, e)
        + " is of type "
        + type
        + ", not BOOLEAN. A constraint is a condition that each"
        + " row must meet: compare the value (=, <, >), or test it (IS NOT NULL, LIKE). Available columns: "
        + columns
        + ".";
  }

  static String invalid(String dataset, Expectation e, String reason, List<String> columns) {
    return where(dataset, e)
        + " is not valid: "
        + reason
        + ". Available columns: "
        + columns
        + ". Check the constraint.";
  }

  static String uniqueKeyColumnMissing(
      String dataset, String expectation, String column, List<String> columns) {
    return "Dataset '"
        + dataset
        + "': expectation '"
        + expectation
        + "' names column '"
        + column
        + "', which does not"
        + " exist. Available columns: "
        + columns
        + ". Check the columns passed to expectUnique().";
  }

  static String reservedColumn(String dataset, String column) {
    return "Dataset '"
        + dataset
        + "' has a column named '"
        + column
        + "', but names starting with '"
        + Expectations.FLAG_PREFIX
        + "' are reserved for the results of expectations. Rename the column.";
  }

  static String violation(
      String pipeline, String dataset, String expectation, String constraint, String row) {
    return "Pipeline '"
        + pipeline
        + "', dataset '"
        + dataset
        + "': expectation '"
        + expectation
        + "' ("
        + oneLine(constraint)
        + ") failed on row "
        + row
        + ". expect_or_fail stops the update; fix the data,"
        + " or use expectOrDrop to drop such rows.";
  }

  private static String where(String dataset, Expectation e) {
    return "Dataset '"
        + dataset
        + "': expectation '"
        + e.name()
        + "' ("
        + oneLine(e.constraint())
        + ")";
  }

  /** The constraint on one line, as {@code describe()} shows it: a multi-line CASE reads in a message. */
  static String oneLine(String constraint) {
    return constraint.strip().replaceAll("\\s+", " ");
  }
}
