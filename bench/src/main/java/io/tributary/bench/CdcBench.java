package io.tributary.bench;

import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;

/**
 * {@code bench --mode cdc} (issue 6): {@link CdcBenchmarkPipeline}'s SCD type 1 and type 2 targets
 * from {@code DATA/cdc}, each alone in its own update, as the baseline times its stages d1 and d2:
 * once with the whole feed in one micro-batch and once split into micro-batches of one file each
 * (Auto Loader's {@code maxFilesPerTrigger=1}, the baseline's {@code --cdc-max-files-per-trigger 1}).
 *
 * <pre>
 * bin/bench --mode cdc --data DATA [--runs 3] [--work DIR] [--parallelism 2] [--spark-out OUT1,OUT2,...]
 *           [--trigger-interval-ms 10000] [--microbatch-interval-ms 1000]
 * </pre>
 *
 * <p>For each run and variant: the update's wall time (analysis included) and its job's time (from the
 * flow events), the target's commits read from its Delta log (bytes each micro-batch wrote over the
 * table's bytes after it), and its rows compared with a recomputation from the raw files
 * ({@link CdcTables#recompute}) and with every Spark oracle CSV of {@code --spark-out}. The Spark runs
 * are grouped by their {@code cdc-max-files-per-trigger} option (in their summary.txt): runs without it
 * are compared with the whole-feed variant, runs with it with the micro-batched one.
 *
 * <p>Micro-batches: Auto Loader admits the next file when a checkpoint completes, so the split run
 * takes at least (files − 1) × {@code --microbatch-interval-ms}; a triggered update commits its last
 * epoch with the final savepoint, so the whole-feed run is one commit when it finishes within
 * {@code --trigger-interval-ms}.
 */
final class CdcBench {

  /** One update of one target. */
  record Run(
      int type,
      boolean batched,
      double wallSeconds,
      double jobSeconds,
      List<DeltaLog.Commit> commits,
      List<List<String>> rows) {

    List<DeltaLog.Commit> dataCommits() {
      return commits.stream().filter(DeltaLog.Commit::changesData).toList();
    }

    String name() {
      return "scd" + type + "." + (batched ? "microbatches" : "whole_feed");
    }
  }

  private CdcBench() {}

  static boolean run(Map<String, String> o) {
    Path data = Bench.data(o);
    Path cdc = data.resolve("cdc");
    Path work = Bench.work(o).resolve("cdc");
    int runs = Bench.runs(o);
    int parallelism = Bench.parallelism(o);
    Duration wholeInterval =
        Duration.ofMillis(Long.parseLong(o.getOrDefault("trigger-interval-ms", "10000")));
    Duration batchInterval =
        Duration.ofMillis(Long.parseLong(o.getOrDefault("microbatch-interval-ms", "1000")));
    int files = EventFiles.list(cdc).size();
    System.out.printf(
        "[cdc] input %s: %d files, %d changes, %.1f MB; %d runs, parallelism %d; whole feed with a %d ms "
            + "trigger interval; micro-batches of 1 file with a %d ms trigger interval%n",
        cdc,
        files,
        EventFiles.lines(cdc),
        EventFiles.bytes(cdc) / 1e6,
        runs,
        parallelism,
        wholeInterval.toMillis(),
        batchInterval.toMillis());

    List<List<List<String>>> expected = CdcTables.recompute(cdc);
    boolean ok = true;
    for (int type = 1; type <= 2; type++) {
      Optional<Long> announced = Bench.generatorCount(data, "expected_scd" + type + "_rows");
      int recomputed = expected.get(type - 1).size();
      boolean agrees = announced.map(n -> n == recomputed).orElse(true);
      ok &= agrees;
      System.out.printf(
          "[cdc] recomputation from the raw files: SCD%d %d rows%s%n",
          type,
          recomputed,
          announced
              .map(n -> " (GenData announces " + n + ": " + (agrees ? "PASS" : "FAIL") + ")")
              .orElse(""));
    }

    List<Run> all = new ArrayList<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.start(parallelism, new Configuration())) {
      for (int i = 1; i <= runs; i++) {
        for (boolean batched : new boolean[] {false, true}) {
          for (int type = 1; type <= 2; type++) {
            Run run =
                update(
                    cluster,
                    cdc,
                    work.resolve("storage"),
                    type,
                    batched,
                    batched ? batchInterval : wholeInterval,
                    parallelism);
            all.add(run);
            RowSetComparison check = RowSetComparison.of(run.rows(), expected.get(type - 1));
            ok &= check.passed();
            System.out.printf(
                "[cdc run %d] %s: update %.2f s (job %.2f s), %d data commits, %s; vs recomputation: %s%n",
                i,
                run.name(),
                run.wallSeconds(),
                run.jobSeconds(),
                run.dataCommits().size(),
                rewrites(run),
                check.summary());
          }
        }
      }
    }

    Map<String, String> report = new LinkedHashMap<>();
    report.put("runs", Integer.toString(runs));
    report.put("cdc.files", Integer.toString(files));
    Map<String, List<Run>> byVariant =
        all.stream()
            .collect(Collectors.groupingBy(Run::name, LinkedHashMap::new, Collectors.toList()));
    byVariant.forEach(
        (name, runsOf) -> {
          report.put(
              "tributary." + name + ".update_s.median",
              Bench.f(Bench.median(runsOf, Run::wallSeconds)));
          report.put(
              "tributary." + name + ".job_s.median",
              Bench.f(Bench.median(runsOf, Run::jobSeconds)));
          Run last = runsOf.get(runsOf.size() - 1);
          List<DeltaLog.Commit> commits = last.dataCommits();
          report.put("tributary." + name + ".data_commits", Integer.toString(commits.size()));
          if (!commits.isEmpty()) {
            DeltaLog.Commit end = commits.get(commits.size() - 1);
            long written = commits.stream().mapToLong(DeltaLog.Commit::addedBytes).sum();
            report.put("tributary." + name + ".table_bytes", Long.toString(end.tableBytes()));
            report.put(
                "tributary." + name + ".bytes_written_total/table_bytes",
                Bench.f((double) written / end.tableBytes()));
          }
          if (commits.size() > 1) {
            List<DeltaLog.Commit> later = commits.subList(1, commits.size());
            report.put(
                "tributary." + name + ".rewritten_share_per_microbatch.median(after_the_first)",
                percent(Bench.median(later, DeltaLog.Commit::rewrittenShare)));
            report.put(
                "tributary." + name + ".rewritten_share_per_microbatch.max(after_the_first)",
                percent(
                    later.stream().mapToDouble(DeltaLog.Commit::rewrittenShare).max().orElse(0)));
          }
        });

    List<SparkSummary> spark = Bench.sparkOuts(o).stream().map(SparkSummary::read).toList();
    for (SparkSummary s : spark) {
      for (int type = 1; type <= 2; type++) {
        List<List<String>> oracle =
            CdcTables.fromOracleCsv(
                s.dir().resolve("oracle/customers_scd" + type + ".csv"), CdcTables.columns(type));
        RowSetComparison recomputation = RowSetComparison.of(expected.get(type - 1), oracle);
        ok &= recomputation.passed();
        StringBuilder line =
            new StringBuilder(
                String.format(
                    "[spark %s, cdc-max-files-per-trigger %d] SCD%d %.2f s; "
                        + "recomputation vs this oracle: %s",
                    s.dir(),
                    s.cdcMaxFilesPerTrigger(),
                    type,
                    sparkSeconds(s, type),
                    recomputation.summary()));
        for (boolean batched : new boolean[] {false, true}) {
          Run last =
              byVariant
                  .get("scd" + type + "." + (batched ? "microbatches" : "whole_feed"))
                  .get(runs - 1);
          RowSetComparison check = RowSetComparison.of(last.rows(), oracle);
          ok &= check.passed();
          line.append("; Tributary ")
              .append(last.name())
              .append(" (last run) vs this oracle: ")
              .append(check.summary());
        }
        System.out.println(line);
      }
    }
    for (boolean batched : new boolean[] {false, true}) {
      List<SparkSummary> group =
          spark.stream().filter(s -> (s.cdcMaxFilesPerTrigger() > 0) == batched).toList();
      if (group.isEmpty()) {
        continue;
      }
      String variant = batched ? "microbatches" : "whole_feed";
      for (int type = 1; type <= 2; type++) {
        int t = type;
        double sparkMedian = Bench.median(group, s -> sparkSeconds(s, t));
        String name = "scd" + type + "." + variant;
        report.put("spark." + name + ".s.median(" + group.size() + " runs)", Bench.f(sparkMedian));
        List<Run> runsOf = byVariant.get(name);
        report.put(
            "ratio.tributary_" + name + "_update/spark",
            Bench.f(Bench.median(runsOf, Run::wallSeconds) / sparkMedian));
        report.put(
            "ratio.tributary_" + name + "_job/spark",
            Bench.f(Bench.median(runsOf, Run::jobSeconds) / sparkMedian));
      }
    }
    report.put("checks", ok ? "PASS" : "FAIL");
    Bench.writeReport(report, work, "cdc-summary.txt");
    return ok;
  }

  /** Spark's time for one target: SCD1 is its MERGE stage plus the publish of the user table, SCD2 one stage. */
  static double sparkSeconds(SparkSummary s, int type) {
    return type == 1
        ? s.time("d1_customers_scd1_merge") + s.time("d1_customers_scd1_publish")
        : s.time("d2_customers_scd2");
  }

  /** Deletes {@code storage} and runs one triggered update of the SCD {@code type} target. */
  static Run update(
      EmbeddedCluster cluster,
      Path cdc,
      Path storage,
      int type,
      boolean batched,
      Duration interval,
      int parallelism) {
    BenchmarkRun.deleteRecursively(storage);
    long start = System.nanoTime();
    RunningUpdate update =
        Tributary.pipeline(new CdcBenchmarkPipeline())
            .name("bench-cdc")
            .storage(storage.toString())
            .configuration(
                Map.of(
                    CdcBenchmarkPipeline.SOURCE_KEY,
                    cdc.toString(),
                    CdcBenchmarkPipeline.TYPES_KEY,
                    Integer.toString(type),
                    CdcBenchmarkPipeline.MAX_FILES_KEY,
                    batched ? "1" : "0"))
            .parallelism(parallelism)
            .triggerInterval(interval)
            .cluster(cluster)
            .start();
    UpdateResult result;
    try {
      result = update.await();
    } catch (InterruptedException e) {
      update.stop();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the CDC benchmark update ran", e);
    }
    double wall = Bench.seconds(start);
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "The CDC benchmark update (SCD"
              + type
              + ") ended "
              + result.state()
              + ": "
              + result.error().orElse("no error recorded")
              + "; flows: "
              + result.flows());
    }
    String target = "customers_scd" + type;
    Path table = storage.resolve("tables").resolve(target);
    return new Run(
        type,
        batched,
        wall,
        Bench.s(StageTimings.job(update.events(), target, target)),
        DeltaLog.commits(table),
        CdcTables.fromDelta(table, CdcTables.columns(type)));
  }

  /** Each data commit's bytes written over the table's bytes after it, e.g. "v1 1.2/1.2 MB 100%, v2 …". */
  private static String rewrites(Run run) {
    return "bytes written/table: "
        + run.dataCommits().stream()
            .map(
                c ->
                    String.format(
                        "v%d %.2f/%.2f MB %s",
                        c.version(),
                        c.addedBytes() / 1e6,
                        c.tableBytes() / 1e6,
                        percent(c.rewrittenShare())))
            .collect(Collectors.joining(", "));
  }

  private static String percent(double share) {
    return String.format("%.1f%%", share * 100);
  }
}
