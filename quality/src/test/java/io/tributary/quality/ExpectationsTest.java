package io.tributary.quality;

import static io.tributary.dsl.plan.ExpectationAction.DROP;
import static io.tributary.dsl.plan.ExpectationAction.FAIL;
import static io.tributary.dsl.plan.ExpectationAction.WARN;
import static org.apache.flink.table.api.DataTypes.BIGINT;
import static org.apache.flink.table.api.DataTypes.DATE;
import static org.apache.flink.table.api.DataTypes.DECIMAL;
import static org.apache.flink.table.api.DataTypes.DOUBLE;
import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.apache.flink.table.api.DataTypes.INT;
import static org.apache.flink.table.api.DataTypes.ROW;
import static org.apache.flink.table.api.DataTypes.STRING;
import static org.apache.flink.table.api.DataTypes.TIMESTAMP;
import static org.apache.flink.table.api.DataTypes.TIMESTAMP_LTZ;
import static org.apache.flink.table.api.Expressions.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.plan.Expectation;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every constraint of the DLT guide, verbatim, evaluated by Flink's planner on rows that pass, fail,
 * and hold NULLs. The planner costs seconds per JVM: one environment and one query for the class.
 */
class ExpectationsTest {

  private static final LocalDate TODAY = LocalDate.now();

  /** The seed's constraints, as written in seed-dlt-guide.md. */
  static final List<Expectation> SEED =
      List.of(
          new Expectation("valid_user_id", "user_id IS NOT NULL", DROP),
          new Expectation("valid_timestamp", "timestamp > '2020-01-01'", DROP),
          new Expectation("positive_amount", "amount > 0", DROP),
          new Expectation("valid_email", "email LIKE '%@%'", WARN),
          new Expectation("valid_date", "transaction_date <= current_date()", WARN),
          new Expectation("valid_id", "id IS NOT NULL", FAIL),
          new Expectation("positive_value", "value >= 0", DROP),
          new Expectation("valid_order_id", "order_id IS NOT NULL", DROP),
          new Expectation("positive_total", "total_amount > 0", DROP),
          new Expectation("valid_customer", "customer_id IS NOT NULL", DROP),
          new Expectation(
              "business_rule_1",
              """

          CASE\s
              WHEN transaction_type = 'refund' THEN amount < 0
              WHEN transaction_type = 'purchase' THEN amount > 0
              ELSE TRUE
          END
          """,
              DROP));

  private static TableEnvironment tEnv;
  private static Table seedInput;
  private static Table flagged;
  private static List<Row> seedRows;

  @BeforeAll
  static void evaluateTheSeedConstraintsOnce() throws Exception {
    tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    seedInput =
        tEnv.fromValues(
            ROW(
                FIELD("user_id", STRING()),
                FIELD("timestamp", TIMESTAMP(3)),
                FIELD("amount", DECIMAL(10, 2)),
                FIELD("email", STRING()),
                FIELD("transaction_date", DATE()),
                FIELD("id", BIGINT()),
                FIELD("value", DOUBLE()),
                FIELD("order_id", STRING()),
                FIELD("total_amount", DECIMAL(10, 2)),
                FIELD("customer_id", STRING()),
                FIELD("transaction_type", STRING())),
            // r0: meets everything (a purchase with a positive amount)
            row(
                "u0",
                LocalDateTime.parse("2021-03-04T10:00:00"),
                new BigDecimal("10.00"),
                "a@b.com",
                LocalDate.parse("2020-01-01"),
                0L,
                0.0,
                "o0",
                new BigDecimal("5.00"),
                "c0",
                "purchase"),
            // r1: fails everything but the business rule (a refund with a negative amount)
            row(
                null,
                LocalDateTime.parse("2019-12-31T23:59:59"),
                new BigDecimal("-5.00"),
                "nobody",
                TODAY.plusDays(2),
                null,
                -1.0,
                null,
                new BigDecimal("0.00"),
                null,
                "refund"),
            // r2: NULL everywhere; CASE falls to ELSE TRUE
            row(null, null, null, null, null, null, null, null, null, null, null),
            // r3: on the boundaries: the timestamp equals '2020-01-01', amount 0 for a purchase
            row(
                "u3",
                LocalDateTime.parse("2020-01-01T00:00:00"),
                new BigDecimal("0.00"),
                "@",
                TODAY.minusDays(1),
                3L,
                0.0,
                "o3",
                new BigDecimal("0.01"),
                "c3",
                "purchase"),
            // r4: a refund whose amount is NULL: the business rule is NULL, a failure
            row(
                "u4",
                LocalDateTime.parse("2022-06-01T00:00:00"),
                null,
                "x@y",
                LocalDate.parse("2020-01-01"),
                4L,
                1.0,
                "o4",
                new BigDecimal("1.00"),
                "c4",
                "refund"));
    flagged = Expectations.apply(seedInput, SEED);
    seedRows = collect(flagged);
  }

  private static List<Row> collect(Table table) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = table.execute().collect()) {
      it.forEachRemaining(rows::add);
    }
    rows.sort((a, b) -> String.valueOf(a.getField(5)).compareTo(String.valueOf(b.getField(5))));
    return rows;
  }

  /** The flag of the named seed expectation for r0..r4. */
  private static List<Boolean> flags(String name) {
    int index = SEED.stream().map(Expectation::name).toList().indexOf(name);
    List<Boolean> byRow = new ArrayList<>();
    for (String id : List.of("0", "null1", "null2", "3", "4")) {
      // r1 and r2 both have a NULL id: tell them apart by their transaction type
      Row row = seedRows.stream().filter(r -> rowId(r).equals(id)).findFirst().orElseThrow();
      byRow.add((Boolean) row.getField(Expectations.flagColumn(index)));
    }
    return byRow;
  }

  private static String rowId(Row r) {
    Object id = r.getField("id");
    return id != null
        ? id.toString()
        : "null" + ("refund".equals(r.getField("transaction_type")) ? 1 : 2);
  }

  @Test
  void appendsOneBooleanNotNullColumnPerExpectation() {
    List<String> names = flagged.getResolvedSchema().getColumnNames();
    assertThat(names).hasSize(11 + SEED.size());
    assertThat(names.subList(0, 11)).isEqualTo(seedInput.getResolvedSchema().getColumnNames());
    for (int i = 0; i < SEED.size(); i++) {
      assertThat(names.get(11 + i)).isEqualTo("__expectation_" + i);
      assertThat(flagged.getResolvedSchema().getColumnDataTypes().get(11 + i).toString())
          .isEqualTo("BOOLEAN NOT NULL");
    }
    assertThat(seedRows).hasSize(5);
  }

  @Test
  void noExpectationsLeaveTheTableAsItIs() {
    assertThat(Expectations.apply(seedInput, List.of())).isSameAs(seedInput);
  }

  @Test
  void userIdIsNotNull() {
    assertThat(flags("valid_user_id")).containsExactly(true, false, false, true, true);
  }

  @Test
  void timestampAfterAStringLiteralOnAFlinkReservedWord() {
    assertThat(flags("valid_timestamp")).containsExactly(true, false, false, false, true);
  }

  @Test
  void amountPositiveWithNullFailing() {
    assertThat(flags("positive_amount")).containsExactly(true, false, false, false, false);
  }

  @Test
  void emailLike() {
    assertThat(flags("valid_email")).containsExactly(true, false, false, true, true);
  }

  @Test
  void transactionDateNotInTheFuture() {
    assertThat(flags("valid_date")).containsExactly(true, false, false, true, true);
  }

  @Test
  void idIsNotNull() {
    assertThat(flags("valid_id")).containsExactly(true, false, false, true, true);
  }

  @Test
  void valueNotNegativeOnAFlinkReservedWord() {
    assertThat(flags("positive_value")).containsExactly(true, false, false, true, true);
  }

  @Test
  void orderIdIsNotNull() {
    assertThat(flags("valid_order_id")).containsExactly(true, false, false, true, true);
  }

  @Test
  void totalAmountPositive() {
    assertThat(flags("positive_total")).containsExactly(true, false, false, true, true);
  }

  @Test
  void customerIdIsNotNull() {
    assertThat(flags("valid_customer")).containsExactly(true, false, false, true, true);
  }

  @Test
  void multiLineBusinessRuleWithANullResultFailing() {
    assertThat(flags("business_rule_1")).containsExactly(true, true, true, false, false);
  }

  @Test
  void timestampLtzAndDateColumnsCompareWithStringLiteralsAndSparkSyntaxCompiles()
      throws Exception {
    Table input =
        tEnv.fromValues(
            ROW(FIELD("ts", TIMESTAMP_LTZ(3)), FIELD("day", DATE()), FIELD("Code", INT())),
            row(Instant.parse("2021-01-01T00:00:00Z"), LocalDate.parse("2021-01-01"), 1),
            row(Instant.parse("2019-01-01T00:00:00Z"), LocalDate.parse("2019-01-01"), null));
    Table result =
        Expectations.apply(
            input,
            List.of(
                new Expectation("ltz", "ts > '2020-01-01'", WARN),
                new Expectation("date", "day >= '2020-01-01'", WARN),
                new Expectation("spark", "code == 1 AND \"x\" = 'x'", WARN),
                new Expectation("null_safe", "code <=> 1", WARN),
                new Expectation("commented", "code = 1 -- a trailing comment", WARN)));
    List<String> rows = collect(result).stream().map(Row::toString).sorted().toList();
    assertThat(rows)
        .containsExactly(
            "+I[2019-01-01T00:00:00Z, 2019-01-01, null, false, false, false, false, false]",
            "+I[2021-01-01T00:00:00Z, 2021-01-01, 1, true, true, true, true, true]");
  }
}
