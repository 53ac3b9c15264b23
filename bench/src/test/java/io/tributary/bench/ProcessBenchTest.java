package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole-process mode's parsing of Spark's stage lines and its measure of a process tree. */
class ProcessBenchTest {

  @Test
  void readsTheStageLinesSparkBaselinePrints() {
    // SparkBaseline.time prints "[stage] %-36s %8.3f s"
    String output =
        "[run.sh] building spark-baseline ...\n"
            + String.format("[stage] %-36s %8.3f s%n", "a_bronze_events", 15.953)
            + "WARN something else\n"
            + String.format("[stage] %-36s %8.3f s%n", "rowcounts", 21.713)
            + String.format("[stage] %-36s %8.3f s%n", "oracle_csv_export", 6.052);

    assertThat(ProcessBench.stages(output))
        .containsExactly(
            Map.entry("a_bronze_events", 15.953),
            Map.entry("rowcounts", 21.713),
            Map.entry("oracle_csv_export", 6.052));
  }

  @Test
  void measuresTheTreeAndItsExitStatus(@TempDir Path dir) {
    // a shell that starts a child and waits for it, then fails: the child's CPU counts, the status
    // is kept
    ProcessMeasure m =
        ProcessMeasure.run(
            List.of(
                "/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done & wait; exit 3"),
            Map.of(),
            dir,
            dir.resolve("logs/run.log"));

    assertThat(m.exitCode()).isEqualTo(3);
    assertThat(m.wallSeconds()).isPositive();
    assertThat(m.cpuSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(m.maxRssKb()).isPositive();
  }
}
