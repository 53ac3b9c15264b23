package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark baseline's summary.txt: stage times, and which CDC variant a run is (its options line). */
class SparkSummaryTest {

  @Test
  void readsStageTimesAndTheCdcMaxFilesPerTriggerOfARun(@TempDir Path out) throws Exception {
    Files.writeString(
        out.resolve("summary.txt"),
        "# spark-baseline summary\n"
            + "options={data=/d, out=/o, cdc-max-files-per-trigger=1}\n"
            + "time.d1_customers_scd1_merge.seconds=48.700\ntime.d1_customers_scd1_publish.seconds=2.600\n"
            + "time.d2_customers_scd2.seconds=80.200\n");

    SparkSummary summary = SparkSummary.read(out);

    assertThat(summary.cdcMaxFilesPerTrigger()).isEqualTo(1);
    assertThat(CdcBench.sparkSeconds(summary, 1)).isEqualTo(48.7 + 2.6);
    assertThat(CdcBench.sparkSeconds(summary, 2)).isEqualTo(80.2);
    assertThatThrownBy(() -> summary.time("a_bronze_events"))
        .hasMessage(
            "Spark summary "
                + out.resolve("summary.txt")
                + " has no line time.a_bronze_events.seconds=...");
  }

  @Test
  void aRunWithoutTheOptionIsTheWholeFeed(@TempDir Path out) throws Exception {
    Files.writeString(
        out.resolve("summary.txt"),
        "options={data=/d, out=/o}\ntime.a_bronze_events.seconds=14.4\n");

    assertThat(SparkSummary.read(out).cdcMaxFilesPerTrigger()).isZero();
    assertThat(SparkSummary.read(out).time("a_bronze_events")).isEqualTo(14.4);
  }

  @Test
  void nearestRankPercentilesOfTheFreshnessSamples() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(FreshnessBench.percentile(sorted, 0.5)).isEqualTo(5);
    assertThat(FreshnessBench.percentile(sorted, 0.9)).isEqualTo(9);
    assertThat(FreshnessBench.percentile(sorted, 0.99)).isEqualTo(10);
  }
}
