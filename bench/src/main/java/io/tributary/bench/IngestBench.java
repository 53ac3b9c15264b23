package io.tributary.bench;

import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/**
 * {@code bench --mode ingest} (issue 4), two measurements:
 *
 * <ol>
 *   <li><b>Ingest rate</b>: one triggered update of {@link BenchmarkPipeline} cut at bronze (Auto Loader
 *       JSON with the declared schema into a Delta table) over {@code DATA/events}, beside
 *       {@link SinglePassBaseline#bronze} (read + parse + write Parquet, one thread) of the same files
 *       in the same run; MB/s and rows/s of both, medians of {@code --runs}.
 *   <li><b>Discovery with many processed files</b>: {@code --discovery-files} (100,000) one-line event
 *       files taken in by a first update, then {@code --discovery-new-files} (100) more and a second
 *       update, beside a control that has processed only the new-file count before. Reported: both
 *       updates' times, the second update's extra time over the control's (discovery of a folder with
 *       that many processed files, all else equal), and the size of the checkpointed state: the
 *       savepoint's {@code _metadata}, which holds the Auto Loader enumerator's state (the processed
 *       files) inline, over the control's. {@code --discovery-files 0} skips this part.
 * </ol>
 *
 * <pre>
 * bin/bench --mode ingest --data DATA [--runs 3] [--work DIR] [--parallelism 2]
 *           [--discovery-files 100000] [--discovery-new-files 100]
 * </pre>
 *
 * <p>The component-level figures (the enumerator driven directly, state before and after compaction)
 * are {@code flink-runtime}'s {@code DiscoveryStateBench}; this one goes through the public entry
 * point, as a user's update does.
 */
final class IngestBench {

  /** One ingest update. */
  record Ingest(double wallSeconds, double jobSeconds, long rows) {}

  /** One discovery scenario: two updates over a folder, the second after new files arrived. */
  record Discovery(
      int processed,
      int added,
      double firstSeconds,
      double secondSeconds,
      double secondJobSeconds,
      long firstMetadataBytes,
      long secondMetadataBytes,
      long secondSavepointBytes,
      long rows) {}

  private IngestBench() {}

  static boolean run(Map<String, String> o) {
    Path data = Bench.data(o);
    Path events = data.resolve("events");
    Path work = Bench.work(o).resolve("ingest");
    int runs = Bench.runs(o);
    int parallelism = Bench.parallelism(o);
    int discoveryFiles = Integer.parseInt(o.getOrDefault("discovery-files", "100000"));
    int newFiles = Integer.parseInt(o.getOrDefault("discovery-new-files", "100"));
    long bytes = EventFiles.bytes(events);
    long lines = EventFiles.lines(events);
    System.out.printf(
        "[ingest] input %s: %d files, %d lines, %.1f MB; %d runs, parallelism %d%n",
        events, EventFiles.list(events).size(), lines, bytes / 1e6, runs, parallelism);

    boolean ok = true;
    Map<String, String> report = new LinkedHashMap<>();
    report.put("runs", Integer.toString(runs));
    try (EmbeddedCluster cluster = EmbeddedCluster.start(parallelism, new Configuration())) {
      List<Ingest> ingests = new ArrayList<>();
      List<SinglePassBaseline.Result> single = new ArrayList<>();
      for (int i = 1; i <= runs; i++) {
        Ingest ingest = ingest(cluster, events, work.resolve("storage"), parallelism);
        ingests.add(ingest);
        boolean rowsOk = ingest.rows() == lines;
        SinglePassBaseline.Result sp =
            SinglePassBaseline.bronze(events, work.resolve("single-pass/bronze.parquet"));
        single.add(sp);
        boolean spOk = sp.rowsWritten() == lines;
        ok &= rowsOk && spOk;
        System.out.printf(
            "[ingest run %d] Tributary update %.2f s (bronze job %.2f s), %d rows (%s); single pass "
                + "%.2f s, %d rows (%s), %.1f MB Parquet%n",
            i,
            ingest.wallSeconds(),
            ingest.jobSeconds(),
            ingest.rows(),
            rowsOk ? "one per line: PASS" : "FAIL: expected " + lines,
            sp.seconds(),
            sp.rowsWritten(),
            spOk ? "PASS" : "FAIL: expected " + lines,
            sp.parquetBytes() / 1e6);
      }
      double job = Bench.median(ingests, Ingest::jobSeconds);
      double update = Bench.median(ingests, Ingest::wallSeconds);
      double pass = Bench.median(single, SinglePassBaseline.Result::seconds);
      report.put("input.lines", Long.toString(lines));
      report.put("input.MB", Bench.f(bytes / 1e6));
      report.put("tributary.bronze_job_s.median", Bench.f(job));
      report.put("tributary.bronze_job.MB_per_s", Bench.f(bytes / 1e6 / job));
      report.put("tributary.bronze_job.rows_per_s", String.format("%.0f", lines / job));
      report.put("tributary.update_s.median", Bench.f(update));
      report.put("tributary.update.MB_per_s", Bench.f(bytes / 1e6 / update));
      report.put("single_pass_bronze_s.median", Bench.f(pass));
      report.put("single_pass_bronze.MB_per_s", Bench.f(bytes / 1e6 / pass));
      report.put("single_pass_bronze.rows_per_s", String.format("%.0f", lines / pass));
      report.put("ratio.bronze_job/single_pass", Bench.f(job / pass));
      report.put("ratio.update/single_pass", Bench.f(update / pass));

      if (discoveryFiles > 0) {
        Discovery control =
            discovery(cluster, work.resolve("discovery-control"), newFiles, newFiles, parallelism);
        Discovery large =
            discovery(cluster, work.resolve("discovery"), discoveryFiles, newFiles, parallelism);
        for (Discovery d : List.of(control, large)) {
          boolean rowsOk = d.rows() == (long) d.processed() + d.added();
          ok &= rowsOk;
          System.out.printf(
              "[discovery] %,d processed files: first update %.2f s (%.0f files/s); after %d new files, "
                  + "second update %.2f s (job %.2f s); savepoint _metadata %,d B after the first, %,d B after the "
                  + "second (whole savepoint %,d B); rows %d (%s)%n",
              d.processed(),
              d.firstSeconds(),
              d.processed() / d.firstSeconds(),
              d.added(),
              d.secondSeconds(),
              d.secondJobSeconds(),
              d.firstMetadataBytes(),
              d.secondMetadataBytes(),
              d.secondSavepointBytes(),
              d.rows(),
              rowsOk ? "every file once: PASS" : "FAIL: expected " + (d.processed() + d.added()));
        }
        report.put("discovery.processed_files", Integer.toString(discoveryFiles));
        report.put("discovery.new_files", Integer.toString(newFiles));
        report.put("discovery.first_update_s", Bench.f(large.firstSeconds()));
        report.put("discovery.second_update_s", Bench.f(large.secondSeconds()));
        report.put(
            "discovery.second_update_s(control: " + newFiles + " processed)",
            Bench.f(control.secondSeconds()));
        report.put(
            "discovery.second_update_extra_s",
            Bench.f(large.secondSeconds() - control.secondSeconds()));
        report.put(
            "discovery.second_job_extra_s",
            Bench.f(large.secondJobSeconds() - control.secondJobSeconds()));
        report.put(
            "discovery.state_bytes(savepoint _metadata)",
            Long.toString(large.secondMetadataBytes()));
        report.put("discovery.state_bytes(control)", Long.toString(control.secondMetadataBytes()));
        report.put(
            "discovery.state_bytes_per_processed_file(over control)",
            Bench.f(
                (double) (large.secondMetadataBytes() - control.secondMetadataBytes())
                    / (discoveryFiles - newFiles)));
      }
    }
    report.put("checks", ok ? "PASS" : "FAIL");
    Bench.writeReport(report, work, "ingest-summary.txt");
    return ok;
  }

  /** Deletes {@code storage} and ingests {@code events} into bronze in one triggered update. */
  static Ingest ingest(EmbeddedCluster cluster, Path events, Path storage, int parallelism) {
    BenchmarkRun.deleteRecursively(storage);
    long start = System.nanoTime();
    RunningUpdate update = bronzeUpdate(cluster, events, storage, parallelism);
    double wall = Bench.seconds(start);
    return new Ingest(
        wall,
        Bench.s(StageTimings.job(update.events(), "bronze_events", "bronze_events")),
        rows(storage));
  }

  /** {@code processed} files taken in by a first update, then {@code added} more and a second update. */
  static Discovery discovery(
      EmbeddedCluster cluster, Path dir, int processed, int added, int parallelism) {
    BenchmarkRun.deleteRecursively(dir);
    Path input = dir.resolve("input");
    Path storage = dir.resolve("storage");
    long t0 = System.nanoTime();
    writeTinyFiles(input, 0, processed);
    System.out.printf(
        "[discovery] wrote %,d one-line files in %.1f s%n", processed, Bench.seconds(t0));
    long t1 = System.nanoTime();
    bronzeUpdate(cluster, input, storage, parallelism);
    double first = Bench.seconds(t1);
    long firstMetadata = savepointBytes(storage, true);
    writeTinyFiles(input, processed, added);
    long t2 = System.nanoTime();
    RunningUpdate second = bronzeUpdate(cluster, input, storage, parallelism);
    double secondSeconds = Bench.seconds(t2);
    return new Discovery(
        processed,
        added,
        first,
        secondSeconds,
        Bench.s(StageTimings.job(second.events(), "bronze_events", "bronze_events")),
        firstMetadata,
        savepointBytes(storage, true),
        savepointBytes(storage, false),
        rows(storage));
  }

  private static RunningUpdate bronzeUpdate(
      EmbeddedCluster cluster, Path input, Path storage, int parallelism) {
    RunningUpdate update =
        Tributary.pipeline(new BenchmarkPipeline())
            .name("bench-ingest")
            .storage(storage.toString())
            .configuration(
                Map.of(
                    BenchmarkPipeline.SOURCE_KEY,
                    input.toString(),
                    BenchmarkPipeline.LAYERS_KEY,
                    "bronze"))
            .parallelism(parallelism)
            .cluster(cluster)
            .start();
    UpdateResult result;
    try {
      result = update.await();
    } catch (InterruptedException e) {
      update.stop();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the ingest benchmark update ran", e);
    }
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "The ingest benchmark update ended "
              + result.state()
              + ": "
              + result.error().orElse("no error recorded")
              + "; flows: "
              + result.flows());
    }
    return update;
  }

  private static long rows(Path storage) {
    Path table = storage.resolve("tables/bronze_events").toAbsolutePath();
    return DeltaTableSummary.of(table.toString())
        .map(DeltaTableSummary::rows)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "The update completed but wrote no Delta table at " + table));
  }

  /**
   * The size of the savepoint the next update restores ({@code <storage>/_tributary/state/<job>/CURRENT}
   * names it): its {@code _metadata} file alone, or every file of it.
   */
  static long savepointBytes(Path storage, boolean metadataOnly) {
    Path state = storage.resolve("_tributary/state");
    try (Stream<Path> jobs = Files.list(state)) {
      long total = 0;
      for (Path job : jobs.filter(j -> Files.isRegularFile(j.resolve("CURRENT"))).toList()) {
        String pointer = Files.readString(job.resolve("CURRENT"), StandardCharsets.UTF_8).trim();
        Path savepoint = pointer.contains(":") ? Path.of(URI.create(pointer)) : Path.of(pointer);
        if (metadataOnly) {
          total += Files.size(savepoint.resolve("_metadata"));
        } else {
          try (Stream<Path> files = Files.walk(savepoint)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
              total += Files.size(f);
            }
          }
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot measure the savepoints under " + state, e);
    }
  }

  /** Files {@code from}…{@code from+count-1}, one GenData-style event each, 1,000 to a folder. */
  static void writeTinyFiles(Path input, int from, int count) {
    try {
      for (int i = from; i < from + count; i++) {
        Path dir = input.resolve(String.format("batch=%04d", i / 1000));
        if (i % 1000 == 0 || i == from) {
          Files.createDirectories(dir);
        }
        try (BufferedWriter w =
            Files.newBufferedWriter(dir.resolve(String.format("part-%07d.json", i)))) {
          w.write(
              "{\"event_id\":\"disc-"
                  + i
                  + "\",\"user_id\":\"c0000001\",\"event_type\":\"click\","
                  + "\"timestamp\":\"2024-03-15T12:34:56.789Z\",\"properties\":\"{}\",\"duration\":1.5,\"amount\":2.50}\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the discovery benchmark's files under " + input, e);
    }
  }
}
