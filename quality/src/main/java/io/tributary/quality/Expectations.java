package io.tributary.quality;

import static org.apache.flink.table.api.Expressions.callSql;

import io.tributary.dsl.plan.Expectation;
import java.util.List;
import java.util.Objects;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.expressions.Expression;

/**
 * Evaluates a dataset's expectations with Flink's planner: each constraint becomes one column of the
 * dataset's Table program, so it is compiled into the same generated code as the query rather than
 * interpreted per row. The columns are read, counted and stripped downstream by
 * {@link ExpectationOperator}.
 *
 * <p>The result of a constraint is {@code (constraint) IS TRUE}: a row for which it is {@code NULL}
 * fails, as a SQL {@code WHERE} would drop it (so {@code amount > 0} fails a row whose amount is NULL).
 *
 * <pre>{@code
 * Table checked = Expectations.apply(silver, dataset.expectations());
 * // silver's columns, then __expectation_0, __expectation_1, … : BOOLEAN NOT NULL
 * }</pre>
 */
public final class Expectations {

  /** Names of the flag columns start with it; a dataset may not use it for a column of its own. */
  public static final String FLAG_PREFIX = "__expectation_";

  private Expectations() {}

  /**
   * The input with one {@code BOOLEAN NOT NULL} column appended per expectation, in order, named
   * {@link #flagColumn(int) __expectation_0 … n-1}: whether the row meets it. Validate the
   * expectations first with {@link ExpectationValidator}: a constraint that does not compile makes
   * this throw Flink's {@code ValidationException}.
   */
  public static Table apply(Table input, List<Expectation> expectations) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(expectations, "expectations");
    if (expectations.isEmpty()) {
      return input;
    }
    List<String> columns = input.getResolvedSchema().getColumnNames();
    Expression[] flags = new Expression[expectations.size()];
    for (int i = 0; i < flags.length; i++) {
      String sql = ConstraintSql.toFlinkSql(expectations.get(i).constraint(), columns);
      flags[i] = callSql("(" + sql + "\n) IS TRUE").as(flagColumn(i));
    }
    return input.addColumns(flags);
  }

  /** The name of the flag column of the expectation at this index. */
  public static String flagColumn(int index) {
    return FLAG_PREFIX + index;
  }
}
