package io.tributary.bench;

import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;

/**
 * The {@code bench} command. {@code --mode} chooses what is measured on the shared generated workload;
 * every mode prints its figures (medians of {@code --runs}), its ratios and PASS/FAIL checks:
 *
 * <ul>
 *   <li>{@code medallion} (the default, below): {@link BenchmarkPipeline} beside a single pass and Spark;
 *   <li>{@code cdc}: SCD type 1 and 2 from {@code DATA/cdc} ({@link CdcBench});
 *   <li>{@code ingest}: bronze ingest rate and Auto Loader discovery with many processed files ({@link IngestBench});
 *   <li>{@code freshness}: continuous mode, file landing to rows visible in silver ({@link FreshnessBench});
 *   <li>{@code process}: each update a fresh {@code bin/tributary start} process beside a fresh Spark baseline
 *       process, with CPU and peak RSS ({@link ProcessBench}).
 * </ul>
 *
 * <pre>
 * bin/bench [--mode medallion] --data DATA [--runs 3] [--work DIR] [--parallelism 2] [--spark-out OUT1,OUT2,...]
 *           [--events 1000000 --files 20 --customers 100000 --cdc-changes 200000 --seed 42]
 * </pre>
 *
 * <p>{@code DATA/events} and {@code DATA/cdc} are generated with GenData (the flags above) when missing. In
 * medallion mode, each run deletes
 * {@code WORK/storage}, runs one triggered update on a MiniCluster started once for all runs (its start
 * is reported apart, like the baseline's SparkSession start), then the single-pass baseline. Gold is
 * compared with a recomputation from the raw files and with every {@code OUT/oracle/gold_daily_metrics.csv}
 * of the Spark runs named by {@code --spark-out}, whose {@code summary.txt} also gives Spark's stage times.
 * Exit status 0 when every check passes, 1 otherwise.
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) {
    try {
      Map<String, String> o = parse(args);
      boolean ok =
          switch (o.getOrDefault("mode", "medallion")) {
            case "medallion" -> run(o);
            case "cdc" -> CdcBench.run(o);
            case "ingest" -> IngestBench.run(o);
            case "freshness" -> FreshnessBench.run(o);
            case "process" -> ProcessBench.run(o);
            case "cluster" -> ClusterBench.run(o);
            default ->
                throw new IllegalArgumentException(
                    "bench: --mode is '"
                        + o.get("mode")
                        + "'; choose medallion (the default), cdc, ingest, freshness or process.");
          };
      System.exit(ok ? 0 : 1);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /** Runs the medallion benchmark as {@code o} says; true when every check passed. */
  static boolean run(Map<String, String> o) {
    Path data = data(o);
    int runs = runs(o);
    int parallelism = parallelism(o);
    Path work = work(o);
    Path events = data.resolve("events");
    long bytes = EventFiles.bytes(events);
    long lines = EventFiles.lines(events);
    System.out.printf(
        "[bench] input %s: %d files, %d lines, %.1f MB; work folder %s; parallelism %d; %d runs%n",
        events, EventFiles.list(events).size(), lines, bytes / 1e6, work, parallelism, runs);

    boolean ok = true;
    List<GoldRow> expected = GoldTables.recompute(events);
    long expectedSilver = expected.stream().mapToLong(GoldRow::eventCount).sum();
    Optional<Long> generatorSilver = generatorCount(data, "expected_silver");

    long clusterStart = System.nanoTime();
    List<BenchmarkRun> tributary = new ArrayList<>();
    List<SinglePassBaseline.Result> single = new ArrayList<>();
    double clusterSeconds;
    try (EmbeddedCluster cluster = EmbeddedCluster.start(parallelism, new Configuration())) {
      clusterSeconds = seconds(clusterStart);
      System.out.printf(
          "[bench] MiniCluster start %.2f s (once per JVM, not in the figures below)%n",
          clusterSeconds);
      for (int i = 1; i <= runs; i++) {
        BenchmarkRun run =
            BenchmarkRun.execute(cluster, events, work.resolve("storage"), parallelism);
        tributary.add(run);
        GoldComparison check = GoldComparison.of(run.gold(), expected);
        boolean silverOk =
            run.silverRows() == expectedSilver
                && generatorSilver.map(n -> n == run.silverRows()).orElse(true);
        ok &= check.passed() && silverOk;
        System.out.printf(
            "[run %d] tributary update %.2f s = bronze+silver job %.2f s + gold job %.2f s "
                + "(+ analysis/bookkeeping %.2f s); rows bronze=%d silver=%d (expected %d%s) gold=%d; gold vs recomputation: %s%n",
            i,
            s(run.wall()),
            s(run.stages().streaming()),
            s(run.stages().gold()),
            s(run.wall()) - s(run.stages().streaming()) - s(run.stages().gold()),
            run.bronzeRows(),
            run.silverRows(),
            expectedSilver,
            generatorSilver.map(n -> ", GenData says " + n).orElse(""),
            run.goldRows(),
            check.summary());
        SinglePassBaseline.Result sp =
            SinglePassBaseline.run(events, work.resolve("single-pass/silver.parquet"));
        single.add(sp);
        boolean spOk = sp.rowsWritten() == expectedSilver;
        ok &= spOk;
        System.out.printf(
            "[run %d] single pass %.2f s: %d lines -> %d silver rows (%s), %.1f MB Parquet%n",
            i,
            sp.seconds(),
            sp.linesRead(),
            sp.rowsWritten(),
            spOk ? "as expected" : "EXPECTED " + expectedSilver,
            sp.parquetBytes() / 1e6);
      }
    }

    Map<String, String> report = new LinkedHashMap<>();
    double streaming = median(tributary, r -> s(r.stages().streaming()));
    double gold = median(tributary, r -> s(r.stages().gold()));
    double update = median(tributary, r -> s(r.wall()));
    double singlePass = median(single, SinglePassBaseline.Result::seconds);
    report.put("runs", Integer.toString(runs));
    report.put("minicluster_start_s", f(clusterSeconds));
    report.put("tributary.bronze_silver_job_s.median", f(streaming));
    report.put("tributary.gold_job_s.median", f(gold));
    report.put("tributary.update_wall_s.median", f(update));
    report.put("tributary.bronze_silver.rows_per_s", String.format("%.0f", lines / streaming));
    report.put("tributary.bronze_silver.MB_per_s", f(bytes / 1e6 / streaming));
    report.put("tributary.update.rows_per_s", String.format("%.0f", lines / update));
    report.put("single_pass_s.median", f(singlePass));
    report.put("single_pass.rows_per_s", String.format("%.0f", lines / singlePass));
    report.put("single_pass.MB_per_s", f(bytes / 1e6 / singlePass));
    report.put("ratio.bronze_silver_job/single_pass", f(streaming / singlePass));
    report.put("ratio.update/single_pass", f(update / singlePass));

    if (!sparkOuts(o).isEmpty()) {
      List<SparkSummary> spark = new ArrayList<>();
      for (Path out : sparkOuts(o)) {
        SparkSummary summary = SparkSummary.read(out);
        spark.add(summary);
        List<GoldRow> oracle =
            GoldTables.fromOracleCsv(out.resolve("oracle/gold_daily_metrics.csv"));
        GoldComparison check =
            GoldComparison.of(tributary.get(tributary.size() - 1).gold(), oracle);
        GoldComparison recomputation = GoldComparison.of(expected, oracle);
        ok &= check.passed() && recomputation.passed();
        System.out.printf(
            "[spark %s] bronze %.2f s, silver %.2f s, gold %.2f s; recomputation vs this oracle: %s; "
                + "Tributary gold (last run) vs this oracle: %s%n",
            out,
            bronze(summary),
            silver(summary),
            gold(summary),
            recomputation.summary(),
            check.summary());
      }
      double sparkStreaming = median(spark, x -> bronze(x) + silver(x));
      double sparkGold = median(spark, Bench::gold);
      double sparkTotal = median(spark, x -> bronze(x) + silver(x) + gold(x));
      report.put("spark.runs", Integer.toString(spark.size()));
      report.put("spark.bronze_plus_silver_s.median", f(sparkStreaming));
      report.put("spark.gold_s.median", f(sparkGold));
      report.put("spark.a_to_c_s.median", f(sparkTotal));
      report.put(
          "ratio.tributary_bronze_silver/spark_bronze_plus_silver", f(streaming / sparkStreaming));
      report.put("ratio.tributary_gold/spark_gold", f(gold / sparkGold));
      report.put("ratio.tributary_update/spark_a_to_c", f(update / sparkTotal));
    }
    report.put("checks", ok ? "PASS" : "FAIL");
    writeReport(report, work, "bench-summary.txt");
    return ok;
  }

  private static double bronze(SparkSummary s) {
    return s.time("a_bronze_events");
  }

  private static double silver(SparkSummary s) {
    return s.time("b_silver_events");
  }

  private static double gold(SparkSummary s) {
    return s.time("c_gold_daily_metrics");
  }

  /** Prints {@code report} as key=value lines and writes them to {@code work/fileName}. */
  static void writeReport(Map<String, String> report, Path work, String fileName) {
    StringBuilder text = new StringBuilder();
    report.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    System.out.print(text);
    try {
      Files.createDirectories(work);
      Files.writeString(work.resolve(fileName), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + work.resolve(fileName), e);
    }
  }

  /** {@code --data}, generated with GenData (the flags of the class comment) when its folders are missing. */
  static Path data(Map<String, String> o) {
    Path data = Path.of(required(o, "data")).toAbsolutePath();
    if (!Files.isDirectory(data.resolve("events")) || !Files.isDirectory(data.resolve("cdc"))) {
      System.out.println(
          "[bench] " + data + " has no events/ or cdc/ folder: generating them with GenData ...");
      System.out.println(
          GenDataLauncher.generate(
              data,
              Long.parseLong(o.getOrDefault("events", "1000000")),
              Integer.parseInt(o.getOrDefault("files", "20")),
              Integer.parseInt(o.getOrDefault("customers", "100000")),
              Integer.parseInt(o.getOrDefault("cdc-changes", "200000")),
              Long.parseLong(o.getOrDefault("seed", "42"))));
    }
    return data;
  }

  /** {@code --work}, by default DATA-tributary beside DATA. */
  static Path work(Map<String, String> o) {
    Path data = Path.of(required(o, "data")).toAbsolutePath();
    return Path.of(
            o.getOrDefault(
                "work", data.resolveSibling(data.getFileName() + "-tributary").toString()))
        .toAbsolutePath();
  }

  static int runs(Map<String, String> o) {
    return Integer.parseInt(o.getOrDefault("runs", "3"));
  }

  static int parallelism(Map<String, String> o) {
    return Integer.parseInt(o.getOrDefault("parallelism", "2"));
  }

  /** The Spark baseline's output folders named by {@code --spark-out} (comma-separated), if any. */
  static List<Path> sparkOuts(Map<String, String> o) {
    String value = o.get("spark-out");
    return value == null
        ? List.of()
        : java.util.Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(v -> !v.isEmpty())
            .map(Path::of)
            .toList();
  }

  static Optional<Long> generatorCount(Path data, String name) {
    Path file = data.resolve("_GENERATED.txt");
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      Matcher m =
          Pattern.compile("\\b" + name + "=(\\d+)")
              .matcher(Files.readString(file, StandardCharsets.UTF_8));
      return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  static <T> double median(List<T> values, ToDoubleFunction<T> f) {
    double[] v = values.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      throw new IllegalArgumentException("no runs to take a median of; pass --runs 1 or more");
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--second-update")
          && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        o.put("second-update", "true");
        continue;
      }
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "bench: unexpected argument '"
                + args[i]
                + "'. Usage: bench "
                + "[--mode medallion|cdc|ingest|freshness|process|cluster] --data DIR [--runs 3] [--work DIR] [--parallelism 2] "
                + "[--spark-out OUT1,OUT2] [--events N --files F --customers C --cdc-changes K --seed S]; "
                + "each mode's own flags are in its class comment and docs/benchmarks.md.");
      }
      o.put(args[i].substring(2), args[++i]);
    }
    return o;
  }

  private static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "bench: --"
              + key
              + " DIR is required (the GenData output folder; it is "
              + "generated there when DIR/events is missing).");
    }
    return v;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static double s(java.time.Duration d) {
    return d.toNanos() / 1e9;
  }

  static String f(double v) {
    return String.format("%.2f", v);
  }
}
