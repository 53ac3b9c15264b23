package io.tributary.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench --mode process}: the medallion and CDC benchmark pipelines as a user runs them, each update
 * a fresh {@code bin/tributary start} process, alternated with a fresh Spark baseline process
 * ({@code run.sh DATA OUT}) on the same data (issue 16, "Measure as users run it").
 *
 * <pre>
 * bench --mode process --data DATA [--work DIR] [--pairs 3] [--parallelism 2] [--xmx 8g]
 *       [--spark-baseline DIR|none] [--tributary bin/tributary] [--second-update]
 *       [--flink-options key=value,...] [--tributary-java-opts "OPTS"]
 * </pre>
 *
 * <p>{@code --flink-options} adds Flink options to the pipeline file (e.g.
 * {@code taskmanager.numberOfTaskSlots=2}: one job at a time); {@code --tributary-java-opts} adds JVM
 * options to Tributary's process after {@code -Xmx} (e.g. a JFR recording).
 *
 * <p>One pipeline file ({@code WORK/process/pipeline.yml}) names both libraries, {@link BenchmarkPipeline}
 * and {@link CdcBenchmarkPipeline}; one untimed update first (the launcher's class-data archive, {@link
 * #warmUp}), then each pair deletes the storage root, runs one update, then the Spark baseline. Both processes are measured by {@link ProcessMeasure}. Spark's pipeline time is its wall time
 * less the {@code rowcounts} and {@code oracle_csv_export} stages it prints ({@code [stage] NAME SECONDS s});
 * Tributary's is its wall time. Every run is checked: Tributary's gold, SCD1 and SCD2 tables and silver's
 * row count against a recomputation from the raw files and against the paired Spark run's oracle CSVs, and
 * the Spark oracle against the recomputation.
 *
 * <p>{@code --second-update}: after each first update, about 1 % new input lands in new files (GenData,
 * seed 4242, 10,000 events and 2,000 CDC changes by default, {@code --extra-events}/{@code --extra-cdc};
 * event ids renamed {@code evt-} → {@code evt2-} so they are new events, CDC {@code updated_at} shifted past
 * the feed's last sequence number so the changes are new, on the same customer keys), and a second fresh
 * {@code tributary start} process runs on the same storage. The Spark baseline wipes its tables and
 * checkpoints at every start (its {@code main}), so it has no incremental run to compare with: Tributary
 * is measured alone, with each table's input rows and written bytes from its Delta log.
 */
final class ProcessBench {

  private static final Pattern STAGE =
      Pattern.compile("(?m)^\\[stage\\]\\s+(\\S+)\\s+([0-9.]+) s\\s*$");
  private static final List<String> TABLES =
      List.of(
          "bronze_events",
          "silver_events",
          "gold_daily_metrics",
          "customers_scd1",
          "customers_scd2");

  private ProcessBench() {}

  /** One measured process and its checks. */
  record Run(
      String engine,
      int pair,
      String label,
      ProcessMeasure measure,
      double pipelineSeconds,
      boolean checked) {}

  static boolean run(Map<String, String> o) {
    Path data = Bench.data(o);
    Path work = Bench.work(o).resolve("process");
    int pairs = Integer.parseInt(o.getOrDefault("pairs", "3"));
    int parallelism = Bench.parallelism(o);
    String xmx = o.getOrDefault("xmx", "8g");
    boolean second = Boolean.parseBoolean(o.getOrDefault("second-update", "false"));
    Path root = Path.of(System.getProperty("bench.root", "")).toAbsolutePath();
    Path tributary =
        Path.of(o.getOrDefault("tributary", root.resolve("bin/tributary").toString()))
            .toAbsolutePath();
    String sparkOpt =
        o.getOrDefault(
            "spark-baseline",
            root.resolveSibling("shared").resolve("bench/spark-baseline").toString());
    Path spark = sparkOpt.equals("none") ? null : Path.of(sparkOpt).toAbsolutePath();
    Path input = work.resolve("input");
    Path storage = work.resolve("storage");
    Path pipelineFile = work.resolve("pipeline.yml");
    Path benchJar = root.resolve("bench/target/tributary-bench.jar");
    if (pairs < 1) {
      throw new IllegalArgumentException(
          "bench: --pairs is " + pairs + "; use 1 or more (the issue asks for 3).");
    }
    if (!Files.isExecutable(tributary)) {
      throw new IllegalArgumentException(
          "bench: " + tributary + " is not executable; pass --tributary PATH/bin/tributary.");
    }
    if (spark != null && !Files.isExecutable(spark.resolve("run.sh"))) {
      throw new IllegalArgumentException(
          "bench: no run.sh in "
              + spark
              + "; pass --spark-baseline DIR (a writable copy of "
              + "../shared/bench/spark-baseline) or --spark-baseline none to measure Tributary alone.");
    }
    requireBuilt(root, spark);
    Map<String, String> extraFlink = new java.util.TreeMap<>();
    for (String pair : o.getOrDefault("flink-options", "").split(",")) {
      if (!pair.isBlank()) {
        int eq = pair.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException(
              "bench: --flink-options takes key=value pairs separated by commas; got '"
                  + pair
                  + "'.");
        }
        extraFlink.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    writePipeline(pipelineFile, input, storage, parallelism, extraFlink);
    String javaOpts = ("-Xmx" + xmx + " " + o.getOrDefault("tributary-java-opts", "")).trim();
    Map<String, String> tributaryEnv =
        Map.of("TRIBUTARY_CLASSPATH", benchJar.toString(), "TRIBUTARY_JAVA_OPTS", javaOpts);
    Map<String, String> sparkEnv = Map.of("SPARK_BASELINE_XMX", xmx);

    Expected first = Expected.of(data.resolve("events"), data.resolve("cdc"), work);
    Path extra = second ? extraInput(o, data, work) : null;
    Expected afterSecond =
        second
            ? Expected.of(
                List.of(data.resolve("events"), extra.resolve("events")),
                List.of(data.resolve("cdc"), extra.resolve("cdc")),
                work)
            : null;
    System.out.printf(
        "[process] input %s: %d event lines, %d CDC lines; %d pair(s); -Xmx%s for both; tributary %s; "
            + "spark %s%s%n",
        data,
        first.eventLines,
        first.cdcLines,
        pairs,
        xmx,
        tributary,
        spark == null ? "not run (--spark-baseline none)" : spark.resolve("run.sh"),
        second
            ? "; second update: +"
                + (afterSecond.eventLines - first.eventLines)
                + " event lines, +"
                + (afterSecond.cdcLines - first.cdcLines)
                + " CDC lines in new files"
            : "");

    warmUp(tributary, pipelineFile, tributaryEnv, root, storage, input, data, work);
    boolean ok = true;
    List<Run> runs = new ArrayList<>();
    List<Run> seconds = new ArrayList<>();
    for (int pair = 1; pair <= pairs; pair++) {
      freshStorage(storage, input, data);
      ProcessMeasure t = start(tributary, pipelineFile, tributaryEnv, root, work, pair + "");
      Path sparkOut = work.resolve("spark-out");
      boolean tOk = t.exitCode() == 0 && checkTributary("tributary " + pair, storage, first, null);
      Map<String, Long> versions = versions(storage);
      Run tRun = new Run("tributary", pair, "update 1", t, t.wallSeconds(), tOk);
      runs.add(tRun);
      print(tRun);
      if (t.exitCode() != 0) {
        System.out.println(
            "[tributary "
                + pair
                + "] exit "
                + t.exitCode()
                + "; its output: "
                + work.resolve("logs/tributary-" + pair + ".log"));
      }
      if (spark != null) {
        ProcessMeasure s =
            ProcessMeasure.run(
                List.of(spark.resolve("run.sh").toString(), data.toString(), sparkOut.toString()),
                sparkEnv,
                spark,
                work.resolve("logs/spark-" + pair + ".log"));
        Map<String, Double> stages = stages(s.output());
        boolean sOk =
            s.exitCode() == 0
                && stages.containsKey("rowcounts")
                && stages.containsKey("oracle_csv_export");
        double pipeline =
            sOk
                ? s.wallSeconds() - stages.get("rowcounts") - stages.get("oracle_csv_export")
                : Double.NaN;
        if (sOk) {
          sOk = checkSpark("spark " + pair, sparkOut, first);
          tOk &=
              t.exitCode() == 0
                  && checkTributary(
                      "tributary " + pair + " vs spark " + pair, storage, first, sparkOut);
        } else {
          System.out.println(
              "[spark "
                  + pair
                  + "] exit "
                  + s.exitCode()
                  + " or no rowcounts/oracle_csv_export stage; its output: "
                  + work.resolve("logs/spark-" + pair + ".log"));
        }
        Run sRun = new Run("spark", pair, "run", s, pipeline, sOk);
        runs.add(sRun);
        print(sRun);
        ok &= sOk;
      }
      // the table's checks column: the recomputation and, when Spark ran, its oracle
      runs.set(runs.indexOf(tRun), new Run("tributary", pair, "update 1", t, t.wallSeconds(), tOk));
      ok &= tOk;
      if (second && t.exitCode() == 0) {
        link(extra.resolve("events"), input.resolve("events"));
        link(extra.resolve("cdc"), input.resolve("cdc"));
        ProcessMeasure t2 =
            start(tributary, pipelineFile, tributaryEnv, root, work, pair + "-second");
        boolean t2Ok =
            t2.exitCode() == 0
                && checkTributary(
                    "tributary " + pair + " second update", storage, afterSecond, null);
        Run r2 = new Run("tributary", pair, "update 2", t2, t2.wallSeconds(), t2Ok);
        seconds.add(r2);
        print(r2);
        ok &= t2Ok;
        if (t2.exitCode() == 0) {
          incremental(pair, storage, versions, first, afterSecond);
        }
      }
    }

    Map<String, String> report = new LinkedHashMap<>();
    report.put("pairs", Integer.toString(pairs));
    List<Run> trib = runs.stream().filter(r -> r.engine().equals("tributary")).toList();
    List<Run> sp =
        runs.stream()
            .filter(r -> r.engine().equals("spark") && !Double.isNaN(r.pipelineSeconds()))
            .toList();
    summarize(report, "tributary", trib);
    if (!sp.isEmpty()) {
      summarize(report, "spark", sp);
      report.put(
          "ratio.pipeline_s(tributary/spark)",
          Bench.f(
              Bench.median(trib, Run::pipelineSeconds) / Bench.median(sp, Run::pipelineSeconds)));
      report.put(
          "ratio.wall_s(tributary/spark)",
          Bench.f(
              Bench.median(trib, r -> r.measure().wallSeconds())
                  / Bench.median(sp, r -> r.measure().wallSeconds())));
      report.put(
          "ratio.cpu_s(tributary/spark)",
          Bench.f(
              Bench.median(trib, r -> r.measure().cpuSeconds())
                  / Bench.median(sp, r -> r.measure().cpuSeconds())));
      report.put(
          "ratio.peak_rss(tributary/spark)",
          Bench.f(
              Bench.median(trib, r -> r.measure().maxRssKb())
                  / Bench.median(sp, r -> r.measure().maxRssKb())));
    } else {
      report.put("spark", spark == null ? "not run" : "no successful run");
    }
    if (!seconds.isEmpty()) {
      summarize(report, "tributary.second_update", seconds);
    }
    report.put("checks", ok ? "PASS" : "FAIL");
    System.out.println();
    System.out.println(
        "| engine | pair | run | wall s | pipeline s | CPU s (user+sys) | peak RSS MB (largest process) | tree RSS MB (sampled sum) | max live processes | checks |");
    System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---|");
    List<Run> all = new ArrayList<>(runs);
    all.addAll(seconds);
    for (Run r : all) {
      ProcessMeasure m = r.measure();
      System.out.printf(
          "| %s | %d | %s | %.2f | %.2f | %.2f | %.0f | %.0f | %d | %s |%n",
          r.engine(),
          r.pair(),
          r.label(),
          m.wallSeconds(),
          r.pipelineSeconds(),
          m.cpuSeconds(),
          m.maxRssKb() / 1024.0,
          m.treeRssPeakKb() / 1024.0,
          m.maxLiveProcesses(),
          r.checked() ? "PASS" : "FAIL");
    }
    System.out.println();
    Bench.writeReport(report, work, "process-summary.txt");
    return ok;
  }

  /**
   * Both launchers build on first use (bin/tributary when its jar is missing, run.sh when its jar or
   * classpath is missing or older than its sources): a build inside a timed process would be timed, so
   * the mode refuses to start until both are built.
   */
  private static void requireBuilt(Path root, Path spark) {
    Path examples = root.resolve("examples/target/tributary-examples.jar");
    if (!Files.isRegularFile(examples)
        || !Files.isDirectory(root.resolve("examples/target/lib"))
        || !Files.isRegularFile(root.resolve("bench/target/tributary-bench.jar"))) {
      throw new IllegalArgumentException(
          "bench: "
              + examples
              + " or the bench jar is missing, and bin/tributary would build it "
              + "inside the first timed process; build first: (cd "
              + root
              + " && mvn -B -q -DskipTests package)");
    }
    if (spark == null) {
      return;
    }
    Path classpath = spark.resolve("target/classpath.txt");
    Path jar = spark.resolve("target/spark-baseline-1.0-SNAPSHOT.jar");
    boolean stale;
    try (java.util.stream.Stream<Path> files =
        java.util.stream.Stream.concat(
            Files.walk(spark.resolve("src")),
            java.util.stream.Stream.of(spark.resolve("pom.xml")))) {
      long built =
          Files.isRegularFile(classpath)
              ? Files.getLastModifiedTime(classpath).toMillis()
              : Long.MIN_VALUE;
      stale =
          !Files.isRegularFile(jar)
              || files.anyMatch(
                  f -> {
                    try {
                      return Files.getLastModifiedTime(f).toMillis() > built;
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Spark baseline's folder " + spark, e);
    }
    if (stale) {
      throw new IllegalArgumentException(
          "bench: the Spark baseline in "
              + spark
              + " is not built (or older than its "
              + "sources), and run.sh would build it inside the first timed process; build first: (cd "
              + spark
              + " && mvn -B -q -DskipTests package)");
    }
  }

  private static void print(Run r) {
    ProcessMeasure m = r.measure();
    System.out.printf(
        "[%s %d %s] exit %d, wall %.2f s, pipeline %.2f s, CPU %.2f s (user %.2f + sys %.2f), peak RSS %.0f MB "
            + "(largest process; sampled tree sum %.0f MB, at most %d live processes: %s), checks %s%n",
        r.engine(),
        r.pair(),
        r.label(),
        m.exitCode(),
        m.wallSeconds(),
        r.pipelineSeconds(),
        m.cpuSeconds(),
        m.userSeconds(),
        m.systemSeconds(),
        m.maxRssKb() / 1024.0,
        m.treeRssPeakKb() / 1024.0,
        m.maxLiveProcesses(),
        m.processes(),
        r.checked() ? "PASS" : "FAIL");
  }

  private static void summarize(Map<String, String> report, String prefix, List<Run> runs) {
    report.put(prefix + ".runs", Integer.toString(runs.size()));
    report.put(
        prefix + ".wall_s.median", Bench.f(Bench.median(runs, r -> r.measure().wallSeconds())));
    report.put(prefix + ".pipeline_s.median", Bench.f(Bench.median(runs, Run::pipelineSeconds)));
    report.put(
        prefix + ".cpu_s.median", Bench.f(Bench.median(runs, r -> r.measure().cpuSeconds())));
    report.put(
        prefix + ".peak_rss_MB.median",
        String.format("%.0f", Bench.median(runs, r -> r.measure().maxRssKb()) / 1024.0));
    report.put(
        prefix + ".tree_rss_sampled_MB.median",
        String.format("%.0f", Bench.median(runs, r -> r.measure().treeRssPeakKb()) / 1024.0));
  }

  /** The pipeline file both libraries share; checkpoints go to files (see {@link BenchmarkRun#flinkOptions}). */
  private static void writePipeline(
      Path file, Path input, Path storage, int parallelism, Map<String, String> extra) {
    Map<String, String> options = new java.util.TreeMap<>(BenchmarkRun.flinkOptions(storage));
    options.putAll(extra);
    String text =
        "# Written by bench --mode process: the medallion and CDC benchmark pipelines in one update.\n"
            + "name: bench-process\n"
            + "storage: "
            + storage
            + "\n"
            + "libraries:\n"
            + "  - "
            + BenchmarkPipeline.class.getName()
            + "\n"
            + "  - "
            + CdcBenchmarkPipeline.class.getName()
            + "\n"
            + "configuration:\n"
            + "  "
            + BenchmarkPipeline.SOURCE_KEY
            + ": "
            + input.resolve("events")
            + "\n"
            + "  "
            + CdcBenchmarkPipeline.SOURCE_KEY
            + ": "
            + input.resolve("cdc")
            + "\n"
            + "continuous: false\n"
            + "development: true\n"
            + "trigger:\n"
            + "  interval: 10 s\n"
            + "flink:\n"
            + "  parallelism: "
            + parallelism
            + "\n"
            + "  options:\n"
            + options.entrySet().stream()
                .map(e -> "    " + e.getKey() + ": \"" + e.getValue() + "\"\n")
                .reduce("", String::concat);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Hard-links (or copies, across file systems) each file of {@code from} into {@code to}. */
  private static void link(Path from, Path to) {
    try {
      Files.createDirectories(to);
      for (Path f : EventFiles.list(from)) {
        Path target = to.resolve(f.getFileName());
        try {
          Files.createLink(target, f);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(f, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot link " + from + " into " + to, e);
    }
  }

  /** Spark's printed stage times, {@code [stage] NAME SECONDS s}. */
  static Map<String, Double> stages(String output) {
    Map<String, Double> stages = new LinkedHashMap<>();
    Matcher m = STAGE.matcher(output);
    while (m.find()) {
      stages.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return stages;
  }

  /** What the raw files say the tables hold: the recomputation of check_oracle.py's rules. */
  /**
   * One untimed update before the pairs, as a user's first {@code start} on a build: {@code bin/tributary}
   * lists the classes it loads and, once it has ended, writes its class-data archive in a background
   * process; the pairs start when that process is done, so it takes no CPU from a timed run (Spark's
   * included), and every timed update starts as a user's later ones do. Nothing to wait for with {@code
   * TRIBUTARY_CDS=0}.
   */
  private static void warmUp(
      Path tributary,
      Path pipelineFile,
      Map<String, String> env,
      Path root,
      Path storage,
      Path input,
      Path data,
      Path work) {
    freshStorage(storage, input, data);
    ProcessMeasure w = start(tributary, pipelineFile, env, root, work, "warmup");
    String cdsDir = System.getenv("TRIBUTARY_CDS_DIR");
    Path cds = cdsDir == null ? root.resolve("examples/target/cds") : Path.of(cdsDir);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (writingArchive(cds) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the launcher's archive was written", e);
      }
    }
    System.out.printf(
        "[process] warm-up (untimed): exit %d, wall %.2f s%s%n",
        w.exitCode(),
        w.wallSeconds(),
        writingArchive(cds)
            ? "; the launcher's class-data archive is still being written after 10 minutes"
            : "");
  }

  /** One {@code tributary start} process of the pipeline file, its output in {@code WORK/logs/tributary-NAME.log}. */
  private static ProcessMeasure start(
      Path tributary,
      Path pipelineFile,
      Map<String, String> env,
      Path root,
      Path work,
      String name) {
    return ProcessMeasure.run(
        List.of(tributary.toString(), "start", pipelineFile.toString()),
        env,
        root,
        work.resolve("logs/tributary-" + name + ".log"));
  }

  /** An empty storage root, and the input folder linked anew to {@code data}'s events and CDC feed. */
  private static void freshStorage(Path storage, Path input, Path data) {
    BenchmarkRun.deleteRecursively(storage);
    BenchmarkRun.deleteRecursively(input);
    link(data.resolve("events"), input.resolve("events"));
    link(data.resolve("cdc"), input.resolve("cdc"));
  }

  /** Whether {@code bin/tributary} is writing a class-data archive: its class list is removed when done. */
  private static boolean writingArchive(Path cds) {
    try (var files = Files.list(cds)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".classlist"));
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + cds, e);
    }
  }

  record Expected(
      long eventLines,
      long cdcLines,
      List<GoldRow> gold,
      long silverRows,
      List<List<String>> scd1,
      List<List<String>> scd2) {

    static Expected of(Path events, Path cdc, Path work) {
      return of(List.of(events), List.of(cdc), work);
    }

    /** The recomputation over every file of these folders, linked together into one temporary folder. */
    static Expected of(List<Path> events, List<Path> cdc, Path work) {
      try {
        Files.createDirectories(work);
        Path tmp = Files.createTempDirectory(work, "expected");
        try {
          for (Path e : events) {
            link(e, tmp.resolve("events"));
          }
          for (Path c : cdc) {
            link(c, tmp.resolve("cdc"));
          }
          List<GoldRow> gold = GoldTables.recompute(tmp.resolve("events"));
          List<List<List<String>>> scd = CdcTables.recompute(tmp.resolve("cdc"));
          return new Expected(
              EventFiles.lines(tmp.resolve("events")),
              EventFiles.lines(tmp.resolve("cdc")),
              gold,
              gold.stream().mapToLong(GoldRow::eventCount).sum(),
              scd.get(0),
              scd.get(1));
        } finally {
          BenchmarkRun.deleteRecursively(tmp);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot make a temporary folder for the recomputation", e);
      }
    }
  }

  /** Checks the tables of {@code storage} against {@code expected}, and against {@code sparkOut}'s oracle when given. */
  private static boolean checkTributary(
      String label, Path storage, Expected expected, Path sparkOut) {
    Path tables = storage.resolve("tables");
    List<GoldRow> gold = GoldTables.fromDelta(tables.resolve("gold_daily_metrics").toString());
    List<List<String>> scd1 =
        CdcTables.fromDelta(tables.resolve("customers_scd1"), CdcTables.columns(1));
    List<List<String>> scd2 =
        CdcTables.fromDelta(tables.resolve("customers_scd2"), CdcTables.columns(2));
    boolean ok;
    String what;
    if (sparkOut == null) {
      long silver =
          io.tributary.runtime.delta.read.DeltaTableSummary.of(
                  tables.resolve("silver_events").toString())
              .map(io.tributary.runtime.delta.read.DeltaTableSummary::rows)
              .orElse(-1L);
      GoldComparison g = GoldComparison.of(gold, expected.gold());
      RowSetComparison s1 = RowSetComparison.of(scd1, expected.scd1());
      RowSetComparison s2 = RowSetComparison.of(scd2, expected.scd2());
      ok = g.passed() && s1.passed() && s2.passed() && silver == expected.silverRows();
      what =
          "vs recomputation: silver rows "
              + silver
              + " (expected "
              + expected.silverRows()
              + "), gold "
              + g.summary()
              + ", scd1 "
              + s1.summary()
              + ", scd2 "
              + s2.summary();
    } else {
      GoldComparison g =
          GoldComparison.of(
              gold, GoldTables.fromOracleCsv(sparkOut.resolve("oracle/gold_daily_metrics.csv")));
      RowSetComparison s1 =
          RowSetComparison.of(
              scd1,
              CdcTables.fromOracleCsv(
                  sparkOut.resolve("oracle/customers_scd1.csv"), CdcTables.columns(1)));
      RowSetComparison s2 =
          RowSetComparison.of(
              scd2,
              CdcTables.fromOracleCsv(
                  sparkOut.resolve("oracle/customers_scd2.csv"), CdcTables.columns(2)));
      ok = g.passed() && s1.passed() && s2.passed();
      what =
          "vs Spark oracle: gold "
              + g.summary()
              + ", scd1 "
              + s1.summary()
              + ", scd2 "
              + s2.summary();
    }
    System.out.println("[" + label + "] " + what + ": " + (ok ? "PASS" : "FAIL"));
    return ok;
  }

  /** The Spark oracle against the recomputation. */
  private static boolean checkSpark(String label, Path sparkOut, Expected expected) {
    GoldComparison g =
        GoldComparison.of(
            expected.gold(),
            GoldTables.fromOracleCsv(sparkOut.resolve("oracle/gold_daily_metrics.csv")));
    RowSetComparison s1 =
        RowSetComparison.of(
            expected.scd1(),
            CdcTables.fromOracleCsv(
                sparkOut.resolve("oracle/customers_scd1.csv"), CdcTables.columns(1)));
    RowSetComparison s2 =
        RowSetComparison.of(
            expected.scd2(),
            CdcTables.fromOracleCsv(
                sparkOut.resolve("oracle/customers_scd2.csv"), CdcTables.columns(2)));
    boolean ok = g.passed() && s1.passed() && s2.passed();
    System.out.println(
        "["
            + label
            + "] recomputation vs its oracle: gold "
            + g.summary()
            + ", scd1 "
            + s1.summary()
            + ", scd2 "
            + s2.summary()
            + ": "
            + (ok ? "PASS" : "FAIL"));
    return ok;
  }

  /** Each table's last Delta version. */
  private static Map<String, Long> versions(Path storage) {
    Map<String, Long> v = new LinkedHashMap<>();
    for (String t : TABLES) {
      v.put(t, (long) DeltaLog.commits(storage.resolve("tables").resolve(t)).size() - 1);
    }
    return v;
  }

  /**
   * Prints, per table, the second update's input rows and written bytes. Rows read are derived from how each
   * flow reads: bronze reads the new event files' lines (Auto Loader), silver the rows bronze committed in this
   * update (a Delta stream), gold what its {@code planning_information} event of this update says (INCREMENTAL:
   * the rows silver committed in this update; COMPLETE_RECOMPUTE: silver's whole snapshot), the SCD targets the
   * new CDC lines. Bytes written: the update's data commits (DeltaLog) over the table's bytes. For gold, also the
   * groups whose values this update's input changed: the least any refresh must rewrite.
   */
  private static void incremental(
      int pair, Path storage, Map<String, Long> before, Expected first, Expected after) {
    Map<String, List<DeltaLog.Commit>> commits = new LinkedHashMap<>();
    for (String t : TABLES) {
      commits.put(t, DeltaLog.commits(storage.resolve("tables").resolve(t)));
    }
    long bronzeAdded = added(commits.get("bronze_events"), before.get("bronze_events"));
    long silverAdded = added(commits.get("silver_events"), before.get("silver_events"));
    String goldTechnique = lastTechnique(storage, "gold_daily_metrics");
    long bronzeTotal =
        io.tributary.runtime.delta.read.DeltaTableSummary.of(
                storage.resolve("tables/bronze_events").toString())
            .map(io.tributary.runtime.delta.read.DeltaTableSummary::rows)
            .orElse(0L);
    long silverTotal =
        io.tributary.runtime.delta.read.DeltaTableSummary.of(
                storage.resolve("tables/silver_events").toString())
            .map(io.tributary.runtime.delta.read.DeltaTableSummary::rows)
            .orElse(0L);
    long newEvents = after.eventLines() - first.eventLines();
    long newCdc = after.cdcLines() - first.cdcLines();
    Map<String, long[]> reads = new LinkedHashMap<>();
    reads.put("bronze_events", new long[] {newEvents, after.eventLines()});
    reads.put("silver_events", new long[] {bronzeAdded, bronzeTotal});
    reads.put(
        "gold_daily_metrics",
        new long[] {goldTechnique.equals("INCREMENTAL") ? silverAdded : silverTotal, silverTotal});
    reads.put("customers_scd1", new long[] {newCdc, after.cdcLines()});
    reads.put("customers_scd2", new long[] {newCdc, after.cdcLines()});
    System.out.println(
        "[tributary "
            + pair
            + " second update] per table: input rows read / rows of its source; bytes written / table bytes after "
            + "(issue 16's target: at most 2 % each)");
    for (String t : TABLES) {
      List<DeltaLog.Commit> cs = commits.get(t);
      long from = before.get(t);
      long written =
          cs.stream()
              .filter(c -> c.version() > from && c.changesData())
              .mapToLong(DeltaLog.Commit::addedBytes)
              .sum();
      long tableBytes = last(cs).map(DeltaLog.Commit::tableBytes).orElse(0L);
      long[] r = reads.get(t);
      System.out.printf(
          "  %-20s rows read %,d / %,d = %.2f %%; bytes written %,d / %,d = %.2f %%; commits %d%n",
          t,
          r[0],
          r[1],
          r[1] == 0 ? 0 : 100.0 * r[0] / r[1],
          written,
          tableBytes,
          tableBytes == 0 ? 0 : 100.0 * written / tableBytes,
          cs.stream().filter(c -> c.version() > from).count());
    }
    Map<String, GoldRow> firstGold = new java.util.HashMap<>();
    first.gold().forEach(g -> firstGold.put(g.key(), g));
    long changedGroups =
        after.gold().stream()
            .filter(g -> firstGold.get(g.key()) == null || !firstGold.get(g.key()).matches(g, 1e-9))
            .count();
    System.out.printf(
        "  gold_daily_metrics refreshed %s; groups changed by the new input %,d / %,d = %.2f %% "
            + "(the least any refresh rewrites)%n",
        goldTechnique,
        changedGroups,
        after.gold().size(),
        after.gold().isEmpty() ? 0 : 100.0 * changedGroups / after.gold().size());
  }

  /** The technique of {@code table}'s last {@code planning_information} event, or "unknown" when it has none. */
  private static String lastTechnique(Path storage, String table) {
    io.tributary.runtime.storage.PipelineStorage ps =
        io.tributary.runtime.storage.PipelineStorage.at(
            storage.toString(), new org.apache.hadoop.conf.Configuration());
    return io.tributary.runtime.eventlog.EventLog.of(ps).events("planning_information").stream()
        .filter(e -> e.origin().dataset().orElse("").equals(table))
        .reduce((a, b) -> b)
        .map(e -> e.detailsJson().path("planning_information").path("technique").asText("unknown"))
        .orElse("unknown");
  }

  private static long added(List<DeltaLog.Commit> commits, long afterVersion) {
    return commits.stream()
        .filter(c -> c.version() > afterVersion)
        .mapToLong(DeltaLog.Commit::addedRows)
        .sum();
  }

  private static java.util.Optional<DeltaLog.Commit> last(List<DeltaLog.Commit> commits) {
    return commits.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(commits.get(commits.size() - 1));
  }

  /**
   * The second update's new input, generated once into {@code WORK/extra}: GenData (seed {@code --extra-seed},
   * default 4242) with {@code --extra-events} (10,000) events in one file and {@code --extra-cdc} (2,000) changes
   * in GenData's default 10 files on the same customer key space ({@code --customers}), then made new: event ids {@code evt-N} become {@code evt2-N}, and
   * every {@code updated_at} is shifted past the largest of {@code DATA/cdc}. Files are named {@code extra-*.json}.
   */
  private static Path extraInput(Map<String, String> o, Path data, Path work) {
    Path extra = work.resolve("extra");
    Path raw = work.resolve("extra-raw");
    BenchmarkRun.deleteRecursively(extra);
    BenchmarkRun.deleteRecursively(raw);
    int customers = Integer.parseInt(o.getOrDefault("customers", "100000"));
    System.out.println(
        "[process] second update's input: "
            + GenDataLauncher.generate(
                raw,
                Long.parseLong(o.getOrDefault("extra-events", "10000")),
                1,
                customers,
                Integer.parseInt(o.getOrDefault("extra-cdc", "2000")),
                Long.parseLong(o.getOrDefault("extra-seed", "4242"))));
    long shift = maxSequence(data.resolve("cdc"));
    try {
      Files.createDirectories(extra.resolve("events"));
      Files.createDirectories(extra.resolve("cdc"));
      for (Path f : EventFiles.list(raw.resolve("events"))) {
        rewrite(
            f,
            extra.resolve("events").resolve("extra-" + f.getFileName()),
            line -> line.replace("{\"event_id\":\"evt-", "{\"event_id\":\"evt2-"));
      }
      Pattern seq = Pattern.compile("\"updated_at\":(\\d+)");
      for (Path f : EventFiles.list(raw.resolve("cdc"))) {
        rewrite(
            f,
            extra.resolve("cdc").resolve("extra-" + f.getFileName()),
            line -> {
              Matcher m = seq.matcher(line);
              return m.find()
                  ? line.substring(0, m.start(1))
                      + (Long.parseLong(m.group(1)) + shift)
                      + line.substring(m.end(1))
                  : line;
            });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the second update's input under " + extra, e);
    }
    BenchmarkRun.deleteRecursively(raw);
    return extra;
  }

  private static long maxSequence(Path cdc) {
    Pattern seq = Pattern.compile("\"updated_at\":(\\d+)");
    long max = 0;
    for (Path f : EventFiles.list(cdc)) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          Matcher m = seq.matcher(line);
          if (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + f, e);
      }
    }
    return max;
  }

  private static void rewrite(Path from, Path to, java.util.function.UnaryOperator<String> change)
      throws IOException {
    try (BufferedReader in = Files.newBufferedReader(from, StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(to, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(change.apply(line));
        out.write('\n');
      }
    }
  }
}
