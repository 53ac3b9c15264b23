package io.tributary.quality;

import static io.tributary.dsl.plan.ExpectationAction.DROP;
import static io.tributary.dsl.plan.ExpectationAction.WARN;
import static org.apache.flink.table.api.DataTypes.BIGINT;
import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.apache.flink.table.api.DataTypes.ROW;
import static org.apache.flink.table.api.DataTypes.STRING;
import static org.apache.flink.table.api.DataTypes.TIMESTAMP;
import static org.apache.flink.table.api.Expressions.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.plan.Expectation;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Validation through Flink's planner, without running anything: whole messages. */
class ExpectationValidatorTest {

  private static TableEnvironment tEnv;
  private static Table silverEvents;

  @BeforeAll
  static void createTheEnvironmentOnce() {
    tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    silverEvents =
        tEnv.fromValues(
            ROW(
                FIELD("event_id", STRING()),
                FIELD("user_id", STRING()),
                FIELD("event_type", STRING()),
                FIELD("timestamp", TIMESTAMP(3)),
                FIELD("amount", BIGINT())),
            row("e1", "u1", "click", LocalDateTime.parse("2021-01-01T00:00:00"), 1L));
  }

  private static List<String> validate(Expectation... expectations) {
    return ExpectationValidator.validate("silver_events", List.of(expectations), silverEvents);
  }

  @Test
  void seedConstraintsOnTheirColumnsAreValid() {
    assertThat(
            validate(
                new Expectation("valid_user_id", "user_id IS NOT NULL", DROP),
                new Expectation("valid_timestamp", "timestamp > '2020-01-01'", DROP),
                new Expectation("positive_amount", "amount > 0", WARN),
                new Expectation(
                    "rule", "CASE WHEN event_type = 'refund' THEN amount < 0 ELSE TRUE END", WARN),
                new Expectation("commented", "amount >= 0 -- zero is fine", WARN)))
        .isEmpty();
  }

  @Test
  void anUnknownColumnIsNamedWithTheAvailableOnes() {
    assertThat(validate(new Expectation("valid_user", "user_idd IS NOT NULL", DROP)))
        .containsExactly(
            "Dataset 'silver_events': expectation 'valid_user' (user_idd IS NOT NULL) names column 'user_idd', which"
                + " does not exist. Available columns: [event_id, user_id, event_type, timestamp, amount]. Check the"
                + " constraint.");
  }

  @Test
  void aConstraintThatDoesNotParse() {
    assertThat(validate(new Expectation("positive", "amount >", WARN)))
        .containsExactly(
            "Dataset 'silver_events': expectation 'positive' (amount >) does not parse as SQL: Encountered \"> <EOF>\" at line 1, column 8."
                + " Write a SQL condition over the columns [event_id, user_id, event_type, timestamp, amount], such as"
                + " \"user_id IS NOT NULL\".");
  }

  @Test
  void aParseErrorPointsIntoTheConstraintAsWrittenNotIntoItsBridgedSql() {
    assertThat(
            validate(
                new Expectation(
                    "late", "user_id IS NOT NULL AND\n  timestamp > > '2020-01-01'", WARN)))
        .containsExactly(
            "Dataset 'silver_events': expectation 'late' (user_id IS NOT NULL AND timestamp > >"
                + " '2020-01-01') does not parse as SQL: Encountered \"> >\" at line 2, column 13. Write a SQL condition"
                + " over the columns [event_id, user_id, event_type, timestamp, amount], such as \"user_id IS NOT NULL\".");
  }

  @Test
  void aConstraintThatIsNotBoolean() {
    assertThat(validate(new Expectation("amount_plus", "amount + 1", WARN)))
        .containsExactly(
            "Dataset 'silver_events': expectation 'amount_plus' (amount + 1) is of type BIGINT, not BOOLEAN. A"
                + " constraint is a condition that each row must meet: compare the value (=, <, >), or test it"
                + " (IS NOT NULL, LIKE). Available columns: [event_id, user_id, event_type, timestamp, amount].");
  }

  @Test
  void anotherInvalidConstraintCarriesFlinksReason() {
    assertThat(validate(new Expectation("custom", "no_such_function(amount)", WARN)))
        .containsExactly(
            "Dataset 'silver_events': expectation 'custom' (no_such_function(amount)) is not valid: No match found for"
                + " function signature no_such_function(<NUMERIC>). Available columns: [event_id, user_id, event_type,"
                + " timestamp, amount]. Check the constraint.");
  }

  @Test
  void everyProblemIsReportedInTheOrderOfTheExpectationsWithMultiLineConstraintsOnOneLine() {
    List<String> problems =
        validate(
            new Expectation("valid_user", "user_idd IS NOT NULL", DROP),
            new Expectation("fine", "amount > 0", DROP),
            new Expectation(
                "typo", "CASE\n  WHEN event_typ = 'x' THEN TRUE\n  ELSE FALSE\nEND", WARN),
            new Expectation("amount_plus", "amount + 1", WARN));
    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("Dataset 'silver_events': expectation 'valid_user' ");
    assertThat(problems.get(1))
        .isEqualTo(
            "Dataset 'silver_events': expectation 'typo' (CASE WHEN event_typ = 'x' THEN TRUE ELSE FALSE END) names"
                + " column 'event_typ', which does not exist. Available columns: [event_id, user_id, event_type,"
                + " timestamp, amount]. Check the constraint.");
    assertThat(problems.get(2)).startsWith("Dataset 'silver_events': expectation 'amount_plus' ");
  }

  @Test
  void aColumnWithTheReservedPrefixIsAProblemWhenTheDatasetHasExpectations() {
    Table flaggedAlready =
        silverEvents.addColumns(
            org.apache.flink.table.api.Expressions.lit(true).as("__expectation_0"));
    Expectation expectation = new Expectation("valid_user", "user_id IS NOT NULL", DROP);
    assertThat(ExpectationValidator.validate("silver_events", List.of(expectation), flaggedAlready))
        .containsExactly(
            "Dataset 'silver_events' has a column named '__expectation_0', but names starting with"
                + " '__expectation_' are reserved for the results of expectations. Rename the column.");
    assertThat(ExpectationValidator.validate("silver_events", List.of(), flaggedAlready)).isEmpty();
  }

  @Test
  void aUniqueKeyColumnThatDoesNotExistIsNamedWithTheColumnsThereAre() {
    List<Expectation> expectations =
        List.of(
            new Expectation("has_id", "event_id IS NOT NULL", DROP),
            Expectation.unique(List.of("event_id", "user"), WARN),
            Expectation.unique(List.of("event_id"), DROP));

    assertThat(
            ExpectationValidator.validateUniqueKeys(
                "silver_events", expectations, List.of("event_id", "user_id")))
        .containsExactly(
            "Dataset 'silver_events': expectation 'unique_event_id_user' names column 'user', which"
                + " does not exist. Available columns: [event_id, user_id]. Check the columns passed to expectUnique().");
  }
}
