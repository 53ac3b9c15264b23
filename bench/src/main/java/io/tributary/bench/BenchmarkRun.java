package io.tributary.bench;

import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One triggered update of {@link BenchmarkPipeline} on a fresh storage root: the unit the benchmark
 * repeats and the smoke test checks.
 *
 * @param wall from {@code start()} (which analyzes the pipeline) to the update's end
 * @param stages the two jobs' times, from the update's flow events
 */
public record BenchmarkRun(
    Duration wall,
    StageTimings stages,
    long bronzeRows,
    long silverRows,
    long goldRows,
    List<GoldRow> gold) {

  public BenchmarkRun {
    gold = List.copyOf(gold);
  }

  /**
   * The Flink options every benchmark update runs with: checkpoints go to files under the storage root.
   * Tributary's default is Flink's JobManager checkpoint storage, whose 5 MB cap on one task's state
   * fails the update once silver's dropDuplicates holds ~1M event ids ("Size of the state is larger
   * than the maximum permitted memory-backed state"); a pipeline.yml sets the same under
   * {@code flink.options}.
   */
  public static Map<String, String> flinkOptions(Path storage) {
    Map<String, String> options =
        new java.util.HashMap<>(
            Map.of(
                "execution.checkpointing.storage",
                "filesystem",
                "execution.checkpointing.dir",
                storage.toAbsolutePath().resolve("_checkpoints").toUri().toString()));
    // -Dbench.flink.<key>=<value>: a pipeline Flink option, e.g. to try other mini-batch settings
    System.getProperties().stringPropertyNames().stream()
        .filter(key -> key.startsWith("bench.flink."))
        .forEach(
            key -> options.put(key.substring("bench.flink.".length()), System.getProperty(key)));
    return Map.copyOf(options);
  }

  /**
   * Deletes {@code storage}, runs one update reading {@code eventsDir} on {@code cluster} with
   * {@link #flinkOptions} and reads the tables back.
   *
   * @throws IllegalStateException if the update does not complete, with its error
   */
  public static BenchmarkRun execute(
      EmbeddedCluster cluster, Path eventsDir, Path storage, int parallelism) {
    deleteRecursively(storage);
    long start = System.nanoTime();
    PipelineConfig config =
        new PipelineConfig(
            "bench",
            storage.toAbsolutePath().toString(),
            List.of(BenchmarkPipeline.class.getName()),
            Map.of(BenchmarkPipeline.SOURCE_KEY, eventsDir.toAbsolutePath().toString()),
            false,
            true,
            PipelineConfig.DEFAULT_TRIGGER_INTERVAL,
            parallelism,
            flinkOptions(storage));
    RunningUpdate update = Tributary.fromConfig(config).cluster(cluster).start();
    UpdateResult result;
    try {
      result = update.await();
    } catch (InterruptedException e) {
      update.stop();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the benchmark update ran", e);
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "The benchmark update ended "
              + result.state()
              + ": "
              + result.error().orElse("no error recorded")
              + "; flows: "
              + result.flows());
    }
    Path tables = storage.resolve("tables");
    return new BenchmarkRun(
        wall,
        StageTimings.of(update.events()),
        rows(tables.resolve("bronze_events")),
        rows(tables.resolve("silver_events")),
        rows(tables.resolve("gold_daily_metrics")),
        GoldTables.fromDelta(tables.resolve("gold_daily_metrics").toString()));
  }

  private static long rows(Path table) {
    return DeltaTableSummary.of(table.toAbsolutePath().toString())
        .map(DeltaTableSummary::rows)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "The update completed but wrote no Delta table at " + table));
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the benchmark's previous storage " + path, e);
    }
  }
}
