package io.tributary.quality;

import static org.apache.flink.table.api.Expressions.callSql;

import io.tributary.dsl.plan.Expectation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Checks a dataset's expectations against the dataset's resolved query, with Flink's planner, before
 * anything runs: at {@code tributary validate}, so that a typo in a constraint is a definition error
 * naming the dataset, the expectation and the column, not a failed update.
 *
 * <pre>{@code
 * List<String> problems = ExpectationValidator.validate("silver_events", spec.expectations(), silver);
 * // ["Dataset 'silver_events': expectation 'valid_user' (user_idd IS NOT NULL) names column 'user_idd',
 * //   which does not exist. Available columns: [event_id, user_id, …]. Check the constraint."]
 * }</pre>
 */
public final class ExpectationValidator {

  private static final Pattern UNKNOWN_COLUMN =
      Pattern.compile("(?:Unknown identifier|Column) '([^']+)'(?: not found)?");
  private static final Pattern CALCITE_POSITION =
      Pattern.compile("^From line \\d+, column \\d+ to line \\d+, column \\d+: ");
  private static final Pattern PARSER_POSITION = Pattern.compile(" at line (\\d+), column (\\d+)");

  private ExpectationValidator() {}

  /**
   * Every problem of these expectations on this input, in the expectations' order; empty when all
   * compile to boolean expressions over the input's columns.
   *
   * @param dataset the dataset's name, for the messages
   * @param input the dataset's query before expectations, resolved by Flink
   */
  public static List<String> validate(String dataset, List<Expectation> expectations, Table input) {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(expectations, "expectations");
    Objects.requireNonNull(input, "input");
    List<String> problems = new ArrayList<>();
    List<String> columns = input.getResolvedSchema().getColumnNames();
    if (!expectations.isEmpty()) {
      columns.stream()
          .filter(c -> c.startsWith(Expectations.FLAG_PREFIX))
          .forEach(c -> problems.add(ExpectationErrors.reservedColumn(dataset, c)));
    }
    for (Expectation expectation : expectations) {
      ConstraintSql.Translation translation =
          ConstraintSql.translate(expectation.constraint(), columns);
      String sql = translation.flinkSql();
      try {
        LogicalType type =
            input
                .select(callSql(sql).as("constraint"))
                .getResolvedSchema()
                .getColumnDataTypes()
                .get(0)
                .getLogicalType();
        if (type.getTypeRoot() != LogicalTypeRoot.BOOLEAN) {
          problems.add(
              ExpectationErrors.notBoolean(
                  dataset, expectation, type.copy(true).asSummaryString(), columns));
        }
      } catch (ValidationException | SqlParserException | TableException e) {
        problems.add(problem(dataset, expectation, translation, columns, e));
      }
    }
    return List.copyOf(problems);
  }

  /**
   * Every column an {@code expectUnique} of these expectations names that {@code columns} lacks, in the
   * expectations' order; the others are left to {@link #validate}.
   */
  public static List<String> validateUniqueKeys(
      String dataset, List<Expectation> expectations, List<String> columns) {
    List<String> problems = new ArrayList<>();
    expectations.stream()
        .filter(Expectation::isUnique)
        .forEach(
            e ->
                e.uniqueKey().stream()
                    .filter(column -> !columns.contains(column))
                    .forEach(
                        column ->
                            problems.add(
                                ExpectationErrors.uniqueKeyColumnMissing(
                                    dataset, e.name(), column, columns))));
    return List.copyOf(problems);
  }

  private static String problem(
      String dataset,
      Expectation expectation,
      ConstraintSql.Translation translation,
      List<String> columns,
      Exception e) {
    Throwable parse = find(e, SqlParserException.class);
    if (parse != null) {
      return ExpectationErrors.doesNotParse(
          dataset, expectation, parserReason(parse, translation), columns);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = CALCITE_POSITION.matcher(firstLine(root.getMessage())).replaceFirst("");
    Matcher unknown = UNKNOWN_COLUMN.matcher(reason);
    if (unknown.lookingAt()) {
      return ExpectationErrors.unknownColumn(dataset, expectation, unknown.group(1), columns);
    }
    return ExpectationErrors.invalid(dataset, expectation, reason, columns);
  }

  /** The parser's reason, its position moved from the bridged SQL to the constraint as written. */
  private static String parserReason(Throwable parse, ConstraintSql.Translation translation) {
    String reason = firstLine(parse.getMessage()).replaceFirst("^SQL parse failed\\. ", "");
    Matcher position = PARSER_POSITION.matcher(reason);
    if (position.find()) {
      int[] original =
          translation.originalPosition(
              Integer.parseInt(position.group(1)), Integer.parseInt(position.group(2)));
      reason =
          reason.substring(0, position.start())
              + " at line "
              + original[0]
              + ", column "
              + original[1]
              + reason.substring(position.end());
    }
    return reason.endsWith(".") ? reason.substring(0, reason.length() - 1) : reason;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static Throwable find(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }
}
