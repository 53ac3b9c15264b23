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
 * Smoke test of the benchmark on a small workload in GenData's format (20,000 events with its
 * quirks: duplicates, null users, old timestamps, null durations, malformed lines): the update
 * completes, silver has the rows the independent single-pass program keeps, and gold equals an
 * independent recomputation from the raw files.
 */
class BenchmarkPipelineITCase {

  private static EmbeddedCluster cluster;

  @TempDir static Path data;
  @TempDir Path work;

  @BeforeAll
  static void generateAndStart() throws Exception {
    writeEvents(data.resolve("events"), 20_000, 7);
    cluster = EmbeddedCluster.start(2, new org.apache.flink.configuration.Configuration());
  }

  /**
   * Events in GenData's format with its quirks (exact duplicates, null users, old timestamps, null
   * durations, malformed lines), written here so the test needs nothing outside the repository.
   */
  static void writeEvents(Path dir, int events, long seed) throws Exception {
    Files.createDirectories(dir);
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    String[] types = {"page_view", "click", "search", "purchase"};
    List<String> written = new java.util.ArrayList<>();
    for (int file = 0; file < 3; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < events / 3; i++) {
        if (!written.isEmpty() && random.nextInt(200) == 0) {
          lines.append(written.get(random.nextInt(written.size()))).append('\n');
          continue;
        }
        String user = random.nextInt(100) == 0 ? "null" : "\"c" + random.nextInt(200) + "\"";
        int year = random.nextInt(100) == 0 ? 2018 : 2024;
        String ts =
            String.format(
                "\"%d-03-%02dT%02d:%02d:00.000Z\"",
                year, 1 + random.nextInt(3), random.nextInt(24), random.nextInt(60));
        String duration =
            random.nextInt(12) == 0 ? "null" : String.format("%.3f", random.nextDouble() * 100);
        String line =
            "{\"event_id\":\"evt-"
                + file
                + "-"
                + i
                + "\",\"user_id\":"
                + user
                + ",\"event_type\":\""
                + types[random.nextInt(types.length)]
                + "\",\"timestamp\":"
                + ts
                + ",\"properties\":\"{}\","
                + "\"duration\":"
                + duration
                + ",\"amount\":"
                + String.format("%.2f", random.nextDouble() * 50)
                + "}";
        written.add(line);
        lines.append(line).append('\n');
        if (random.nextInt(1000) == 0) {
          lines.append(line, 0, 30).append('\n');
        }
      }
      Files.writeString(dir.resolve(String.format("part-%05d.json", file)), lines);
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void goldEqualsARecomputationFromTheRawFilesAndSilverHasTheRowsGenDataAnnounces() {
    Path events = data.resolve("events");
    SinglePassBaseline.Result single =
        SinglePassBaseline.run(events, work.resolve("single.parquet"));
    List<GoldRow> expected = GoldTables.recompute(events);

    BenchmarkRun run = BenchmarkRun.execute(cluster, events, work.resolve("storage"), 2);

    assertThat(run.bronzeRows()).isEqualTo(EventFiles.lines(events));
    assertThat(run.silverRows())
        .as("silver as the independent single pass computes it")
        .isEqualTo(single.rowsWritten())
        .isLessThan(run.bronzeRows());
    assertThat(run.goldRows()).isEqualTo(expected.size());
    GoldComparison comparison = GoldComparison.of(run.gold(), expected);
    assertThat(comparison.passed()).as(comparison.summary()).isTrue();
    assertThat(run.stages().streaming()).isPositive();
    assertThat(run.stages().gold()).isPositive();
    assertThat(run.wall()).isGreaterThan(run.stages().streaming().plus(run.stages().gold()));

    assertThat(single.linesRead()).isEqualTo(EventFiles.lines(events));
    assertThat(Files.exists(work.resolve("single.parquet"))).isTrue();
  }
}
