package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the benchmark on a small GenData workload (20,000 events, ~3 per day and type, so
 * averages mix null and non-null durations; same quirks as the full one:
 * duplicates, null users, old timestamps, malformed lines): the update completes, silver has exactly
 * the rows GenData announces, gold equals an independent recomputation from the raw files, and the
 * single-pass baseline writes the same silver rows.
 */
class BenchmarkPipelineITCase {

  private static EmbeddedCluster cluster;

  @TempDir static Path data;
  @TempDir Path work;

  @BeforeAll
  static void generateAndStart() {
    GenDataLauncher.generate(data, 20_000, 3, 200, 50, 7);
    cluster = EmbeddedCluster.start(2, new org.apache.flink.configuration.Configuration());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void goldEqualsARecomputationFromTheRawFilesAndSilverHasTheRowsGenDataAnnounces() {
    Path events = data.resolve("events");
    long announcedSilver = Bench.generatorCount(data, "expected_silver").orElseThrow();
    long announcedGroups = Bench.generatorCount(data, "expected_gold_groups").orElseThrow();
    long malformed = Bench.generatorCount(data, "malformed").orElseThrow();

    BenchmarkRun run = BenchmarkRun.execute(cluster, events, work.resolve("storage"), 2);

    assertThat(malformed).as("GenData wrote malformed lines, so the test covers them").isPositive();
    assertThat(run.bronzeRows()).isEqualTo(EventFiles.lines(events));
    assertThat(run.silverRows()).isEqualTo(announcedSilver);
    assertThat(run.goldRows()).isEqualTo(announcedGroups);
    List<GoldRow> expected = GoldTables.recompute(events);
    GoldComparison comparison = GoldComparison.of(run.gold(), expected);
    assertThat(comparison.passed()).as(comparison.summary()).isTrue();
    assertThat(run.stages().streaming()).isPositive();
    assertThat(run.stages().gold()).isPositive();
    assertThat(run.wall()).isGreaterThan(run.stages().streaming().plus(run.stages().gold()));

    SinglePassBaseline.Result single = SinglePassBaseline.run(events, work.resolve("single.parquet"));
    assertThat(single.rowsWritten()).isEqualTo(announcedSilver);
    assertThat(single.linesRead()).isEqualTo(EventFiles.lines(events));
    assertThat(Files.exists(work.resolve("single.parquet"))).isTrue();
  }
}
