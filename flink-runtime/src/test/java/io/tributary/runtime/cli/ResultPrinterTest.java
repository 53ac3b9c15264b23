package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** {@code tributary sql}'s three result formats, and the line {@code tributary start} ends with. */
class ResultPrinterTest {

  private static final List<String> COLUMNS = List.of("customer_id", "name", "orders", "total");
  private static final List<Row> ROWS =
      List.of(
          Row.of("c001", "Ada Lovelace", 3L, new BigDecimal("12.50")),
          Row.of("c002", "Grace \"Amazing\" Hopper, RADM", 1L, null));

  private static String print(ResultPrinter.Format format, List<Row> rows) {
    StringWriter text = new StringWriter();
    ResultPrinter.print(new PrintWriter(text, true), format, COLUMNS, rows);
    return text.toString();
  }

  @Test
  void aTableHasTheColumnNamesInABoxAndTheRowCount() {
    assertThat(print(ResultPrinter.Format.TABLE, ROWS))
        .isEqualTo(
            """
        +-------------+------------------------------+--------+--------+
        | customer_id |                         name | orders |  total |
        +-------------+------------------------------+--------+--------+
        |        c001 |                 Ada Lovelace |      3 |  12.50 |
        |        c002 | Grace "Amazing" Hopper, RADM |      1 | <NULL> |
        +-------------+------------------------------+--------+--------+
        2 rows in set
        """);
  }

  @Test
  void anEmptyTableStillNamesItsColumns() {
    assertThat(print(ResultPrinter.Format.TABLE, List.of()))
        .isEqualTo(
            """
        +-------------+------+--------+-------+
        | customer_id | name | orders | total |
        +-------------+------+--------+-------+
        Empty set
        """);
  }

  @Test
  void csvHasAHeaderQuotesWhatNeedsItAndLeavesNullsEmpty() {
    assertThat(print(ResultPrinter.Format.CSV, ROWS))
        .isEqualTo(
            """
        customer_id,name,orders,total
        c001,Ada Lovelace,3,12.50
        c002,"Grace ""Amazing"" Hopper, RADM",1,
        """);
  }

  @Test
  void jsonIsOneObjectPerRowWithTypedValues() {
    assertThat(print(ResultPrinter.Format.JSON, ROWS))
        .isEqualTo(
            """
        {"customer_id":"c001","name":"Ada Lovelace","orders":3,"total":12.50}
        {"customer_id":"c002","name":"Grace \\"Amazing\\" Hopper, RADM","orders":1,"total":null}
        """);
  }

  @Test
  void theSummarySaysWhatTheDurationAndTheTimelineCount() {
    UpdateResult result =
        new UpdateResult(
            "shop",
            "u1",
            1,
            UpdateState.COMPLETED,
            List.of(),
            Optional.empty(),
            Duration.ofMillis(6000));

    // flows ended 9.2 s into the command: 2.2 s of bookkeeping after them, 3.2 s before the 6.0 s
    // update
    assertThat(UpdateSummary.line(result, 9.2, 11.4))
        .isEqualTo(
            "Update 1 COMPLETED in 6.0 s (the update: its jobs"
                + " and their commits). The command's timeline: 11.4 s, of which 3.2 s of analysis and planning before the"
                + " update and 2.2 s of bookkeeping after it (maintenance, the event log)");
    assertThat(UpdateSummary.line(result, -1, 7.0))
        .isEqualTo("Update 1 COMPLETED in 6.0 s (7.0 s since the command" + " started)");
  }
}
