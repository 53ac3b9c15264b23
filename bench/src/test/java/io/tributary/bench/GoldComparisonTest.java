package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoldComparisonTest {

  private static final GoldRow CLICKS = new GoldRow("2024-01-01", "click", 10, 7, 2.5);

  @Test
  void equalTablesPassAndAveragesMayDifferInTheLastBits() {
    GoldRow close = new GoldRow("2024-01-01", "click", 10, 7, 2.5 * (1 + 1e-12));
    assertThat(GoldComparison.of(List.of(close), List.of(CLICKS)).summary())
        .isEqualTo("PASS (1 rows, expected 1, 0 differing)");
  }

  @Test
  void aDifferentCountAMissingRowAnExtraRowAndANullAverageEachFail() {
    GoldComparison c =
        GoldComparison.of(
            List.of(
                new GoldRow("2024-01-01", "click", 11, 7, 2.5),
                new GoldRow("2024-01-03", "login", 1, 1, null)),
            List.of(CLICKS, new GoldRow("2024-01-02", "click", 1, 1, 1.0)));
    assertThat(c.passed()).isFalse();
    assertThat(c.totalDifferences()).isEqualTo(3);
    assertThat(
            GoldComparison.of(
                    List.of(new GoldRow("2024-01-01", "click", 10, 7, null)), List.of(CLICKS))
                .passed())
        .isFalse();
    assertThat(GoldComparison.of(List.of(CLICKS, CLICKS), List.of(CLICKS)).passed()).isFalse();
  }

  @Test
  void readsTheSparkOracleCsvWithNullsAsEmptyFields(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("gold_daily_metrics.csv");
    Files.writeString(
        csv,
        "event_date,event_type,event_count,unique_users,avg_duration\n"
            + "2024-01-01,click,10,7,2.5\n2024-01-02,login,3,3,\n");
    assertThat(GoldTables.fromOracleCsv(csv))
        .containsExactly(CLICKS, new GoldRow("2024-01-02", "login", 3, 3, null));
  }

  @Test
  void medianOfAnEvenAndAnOddNumberOfRuns() {
    assertThat(Bench.median(List.of(3.0, 1.0, 2.0), Double::doubleValue)).isEqualTo(2.0);
    assertThat(Bench.median(List.of(4.0, 1.0, 2.0, 3.0), Double::doubleValue)).isEqualTo(2.5);
  }
}
