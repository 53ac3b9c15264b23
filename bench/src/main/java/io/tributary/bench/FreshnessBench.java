package io.tributary.bench;

import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.maintenance.AutoCompactSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * {@code bench --mode freshness} (issue 7): end-to-end freshness in continuous mode. The benchmark's
 * bronze → silver streaming tables ({@link BenchmarkPipeline} cut at silver) run as a continuous
 * update with a trigger (checkpoint) interval of each of {@code --intervals-ms}; event files of
 * {@code --rows-per-file} rows land in the source folder one by one (written under a hidden name, then
 * renamed into place), {@code --drop-every-ms} apart on average (±50 %, random, so drops do not lock
 * to the checkpoints). A poller reads silver's Delta log every {@code --poll-ms}; a file is visible
 * when every one of its rows (recognised by its event_id prefix) is in files the log has added. The
 * freshness of a file is the time from its rename to the poll that saw its last row.
 *
 * <pre>
 * bin/bench --mode freshness --data DATA [--work DIR] [--parallelism 2] [--intervals-ms 1000,5000]
 *           [--freshness-files 30] [--rows-per-file 1000] [--drop-every-ms 2000] [--poll-ms 20]
 *           [--auto-compact on,off] [--auto-compact-min-files 50]
 * </pre>
 *
 * <p>{@code --data} is only where the work folder goes by default: the files are written here. One
 * warm-up file is dropped and awaited before the measured ones. Reported per interval: median, 90th
 * and 99th percentile (nearest rank: with 30 files the 99th is the slowest) and the slowest; bronze's
 * and silver's data commits and live files at the end (the small files compaction will have to
 * merge); checks: every row of every file in silver exactly once, and the update ends STOPPED.
 * Each interval runs once per {@code --auto-compact} setting ({@code pipelines.autoCompact.enabled}),
 * and reports silver's files at the end (after any compaction), the compactions the event log names,
 * and per table the median and 90th percentile of the commit latency its data commits' {@code
 * flow_progress} events carry ({@code commit_latency_ms}).
 */
final class FreshnessBench {

  private static final String PREFIX = "fresh-";

  /** One interval's outcome. */
  record Result(
      long intervalMs,
      double[] seconds,
      int bronzeCommits,
      int silverCommits,
      int silverFiles,
      long silverBytes,
      boolean exact,
      UpdateState end,
      int silverFilesAtEnd,
      int compactions,
      Map<String, long[]> commitLatencyMs) {}

  private FreshnessBench() {}

  static boolean run(Map<String, String> o) {
    Path work = Bench.work(o).resolve("freshness");
    int parallelism = Bench.parallelism(o);
    int files = Integer.parseInt(o.getOrDefault("freshness-files", "30"));
    int rows = Integer.parseInt(o.getOrDefault("rows-per-file", "1000"));
    long dropEvery = Long.parseLong(o.getOrDefault("drop-every-ms", "2000"));
    long poll = Long.parseLong(o.getOrDefault("poll-ms", "20"));
    long[] intervals =
        Arrays.stream(o.getOrDefault("intervals-ms", "1000,5000").split(","))
            .mapToLong(s -> Long.parseLong(s.trim()))
            .toArray();
    List<String> compaction =
        Arrays.stream(o.getOrDefault("auto-compact", "on,off").split(","))
            .map(String::trim)
            .toList();
    String minFiles = o.get("auto-compact-min-files");
    System.out.printf(
        "[freshness] %d files of %d rows per interval, one every %d ms on average, silver polled every "
            + "%d ms; parallelism %d; intervals %s ms%n",
        files, rows, dropEvery, poll, parallelism, Arrays.toString(intervals));

    boolean ok = true;
    Map<String, String> report = new LinkedHashMap<>();
    report.put("files_per_interval", Integer.toString(files));
    report.put("rows_per_file", Integer.toString(rows));
    for (long interval : intervals) {
      for (String compact : compaction) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AutoCompactSettings.ENABLED, Boolean.toString(compact.equals("on")));
        if (minFiles != null) {
          settings.put(AutoCompactSettings.MIN_FILES, minFiles);
        }
        Result r =
            measure(
                work.resolve("interval-" + interval + "-compact-" + compact),
                interval,
                parallelism,
                files,
                rows,
                dropEvery,
                poll,
                settings);
        boolean passed = r.exact() && r.end() == UpdateState.STOPPED;
        ok &= passed;
        double[] s = r.seconds().clone();
        Arrays.sort(s);
        String key = "interval_" + interval + "ms.auto_compact_" + compact;
        report.put(key + ".freshness_s.median", Bench.f(percentile(s, 0.5)));
        report.put(key + ".freshness_s.p90", Bench.f(percentile(s, 0.9)));
        report.put(key + ".freshness_s.p99", Bench.f(percentile(s, 0.99)));
        report.put(key + ".freshness_s.max", Bench.f(s[s.length - 1]));
        report.put(
            key + ".freshness/interval.median", Bench.f(percentile(s, 0.5) * 1000 / interval));
        report.put(key + ".bronze_data_commits", Integer.toString(r.bronzeCommits()));
        report.put(key + ".silver_data_commits", Integer.toString(r.silverCommits()));
        report.put(key + ".silver_files", Integer.toString(r.silverFiles()));
        report.put(
            key + ".silver_mean_file_KB",
            Bench.f(r.silverBytes() / 1e3 / Math.max(1, r.silverFiles())));
        report.put(key + ".silver_files_at_end", Integer.toString(r.silverFilesAtEnd()));
        report.put(key + ".silver_compactions", Integer.toString(r.compactions()));
        StringBuilder latencies = new StringBuilder();
        r.commitLatencyMs()
            .forEach(
                (table, ms) -> {
                  double[] sorted = Arrays.stream(ms).asDoubleStream().sorted().toArray();
                  String median = sorted.length == 0 ? "-" : Bench.f(percentile(sorted, 0.5));
                  String p90 = sorted.length == 0 ? "-" : Bench.f(percentile(sorted, 0.9));
                  report.put(key + "." + table + ".commit_latency_ms.median", median);
                  report.put(key + "." + table + ".commit_latency_ms.p90", p90);
                  latencies.append(
                      String.format(
                          "; %s commit latency median %s ms, p90 %s ms (%d commits)",
                          table, median, p90, sorted.length));
                });
        System.out.printf(
            "[freshness %d ms, auto compaction %s] median %.2f s, p90 %.2f s, p99 %.2f s, max %.2f s over %d"
                + " files; silver %d data commits, %d files (%.1f KB each) after its last data commit, %d at"
                + " the end after %d compactions; bronze %d data commits; every row exactly once: %s; update"
                + " ended %s%s%n",
            interval,
            compact,
            percentile(s, 0.5),
            percentile(s, 0.9),
            percentile(s, 0.99),
            s[s.length - 1],
            s.length,
            r.silverCommits(),
            r.silverFiles(),
            r.silverBytes() / 1e3 / Math.max(1, r.silverFiles()),
            r.silverFilesAtEnd(),
            r.compactions(),
            r.bronzeCommits(),
            r.exact() ? "PASS" : "FAIL",
            r.end(),
            latencies);
      }
    }
    report.put("checks", ok ? "PASS" : "FAIL");
    Bench.writeReport(report, work, "freshness-summary.txt");
    return ok;
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  static Result measure(
      Path dir,
      long intervalMs,
      int parallelism,
      int files,
      int rows,
      long dropEvery,
      long pollMs,
      Map<String, String> settings) {
    BenchmarkRun.deleteRecursively(dir);
    Path input = dir.resolve("input");
    Path storage = dir.resolve("storage");
    Path silver = storage.resolve("tables/silver_events");
    try {
      Files.createDirectories(input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // continuous mode runs the streaming job and keeps a slot set for a materialized table's job
    try (EmbeddedCluster cluster = EmbeddedCluster.start(parallelism * 2, new Configuration());
        Poller poller = new Poller(silver, rows, pollMs)) {
      RunningUpdate update =
          Tributary.pipeline(new BenchmarkPipeline())
              .name("bench-freshness")
              .storage(storage.toString())
              .configuration(
                  configuration(
                      settings,
                      BenchmarkPipeline.SOURCE_KEY,
                      input.toString(),
                      BenchmarkPipeline.LAYERS_KEY,
                      "silver"))
              .continuous(true)
              .triggerInterval(java.time.Duration.ofMillis(intervalMs))
              .parallelism(parallelism)
              .cluster(cluster)
              .start();
      poller.start();
      SplittableRandom random = new SplittableRandom(intervalMs);
      long[] landed = new long[files + 1];
      landed[0] = drop(input, 0, rows);
      poller.await(0, 300_000, update);
      for (int f = 1; f <= files; f++) {
        sleep((long) (dropEvery * (0.5 + random.nextDouble())));
        landed[f] = drop(input, f, rows);
      }
      for (int f = 1; f <= files; f++) {
        poller.await(f, 120_000 + 4 * intervalMs, update);
      }
      update.stop();
      UpdateResult result = update.await();
      poller.close();
      double[] seconds = new double[files];
      for (int f = 1; f <= files; f++) {
        seconds[f - 1] = (poller.visible.get(f) - landed[f]) / 1e9;
      }
      List<DeltaLog.Commit> silverCommits =
          DeltaLog.commits(silver).stream().filter(DeltaLog.Commit::changesData).toList();
      List<DeltaLog.Commit> bronzeCommits =
          DeltaLog.commits(storage.resolve("tables/bronze_events")).stream()
              .filter(DeltaLog.Commit::changesData)
              .toList();
      DeltaLog.Commit lastSilver = silverCommits.get(silverCommits.size() - 1);
      Map<Integer, Long> counts = rowsPerFile(silver);
      boolean exact =
          counts.size() == files + 1 && counts.values().stream().allMatch(n -> n == rows);
      if (!exact) {
        System.out.println(
            "[freshness] rows per dropped file in silver (expected " + rows + " each): " + counts);
      }
      if (result.state() != UpdateState.STOPPED) {
        System.out.println(
            "[freshness] the update ended " + result.state() + ": " + result.error().orElse(""));
      }
      List<DeltaLog.Commit> all = DeltaLog.commits(silver);
      List<io.tributary.runtime.eventlog.Event> events =
          io.tributary.runtime.eventlog.EventLog.of(
                  io.tributary.runtime.storage.PipelineStorage.at(
                      storage.toString(), new org.apache.hadoop.conf.Configuration()))
              .events();
      return new Result(
          intervalMs,
          seconds,
          bronzeCommits.size(),
          silverCommits.size(),
          lastSilver.tableFiles(),
          lastSilver.tableBytes(),
          exact,
          result.state(),
          all.get(all.size() - 1).tableFiles(),
          compactions(events, "silver_events"),
          Map.of(
              "bronze_events",
              commitLatencies(events, "bronze_events"),
              "silver_events",
              commitLatencies(events, "silver_events")));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while measuring freshness", e);
    }
  }

  private static Map<String, String> configuration(Map<String, String> settings, String... pairs) {
    Map<String, String> configuration = new HashMap<>(settings);
    for (int i = 0; i < pairs.length; i += 2) {
      configuration.put(pairs[i], pairs[i + 1]);
    }
    return configuration;
  }

  /** The commit latencies (ms) of {@code dataset}'s data commits, from their flow_progress events. */
  static long[] commitLatencies(List<io.tributary.runtime.eventlog.Event> events, String dataset) {
    return events.stream()
        .filter(e -> e.eventType().equals("flow_progress"))
        .filter(e -> e.origin().dataset().filter(dataset::equals).isPresent())
        .map(e -> e.detailsJson().path("flow_progress").path("commit_latency_ms"))
        .filter(n -> !n.isMissingNode())
        .mapToLong(n -> n.asLong())
        .toArray();
  }

  /** The auto compactions the event log names for {@code dataset} that committed. */
  static int compactions(List<io.tributary.runtime.eventlog.Event> events, String dataset) {
    return (int)
        events.stream()
            .filter(e -> e.eventType().equals("maintenance_progress"))
            .filter(e -> e.origin().dataset().filter(dataset::equals).isPresent())
            .filter(e -> e.detailsJson().path("maintenance_progress").has("compaction"))
            .count();
  }

  /** Silver's rows per dropped file, read with Kernel at the end (independent of the poller). */
  static Map<Integer, Long> rowsPerFile(Path silver) {
    Map<Integer, Long> counts = new java.util.TreeMap<>();
    for (org.apache.flink.types.Row r :
        io.tributary.runtime.delta.read.DeltaTableReader.readAll(silver.toString())) {
      String id = (String) r.getField("event_id");
      counts.merge(fileOf(id), 1L, Long::sum);
    }
    return counts;
  }

  private static int fileOf(String eventId) {
    return Integer.parseInt(
        eventId.substring(PREFIX.length(), eventId.indexOf('-', PREFIX.length())));
  }

  /** Writes file {@code f} under a hidden name, renames it into place and returns the time after the rename. */
  static long drop(Path input, int f, int rows) {
    StringBuilder lines = new StringBuilder(rows * 190);
    for (int i = 0; i < rows; i++) {
      lines.append(
          String.format(
              "{\"event_id\":\"%s%04d-%05d\",\"user_id\":\"c%07d\",\"event_type\":\"click\","
                  + "\"timestamp\":\"2024-03-15T12:%02d:%02d.000Z\",\"properties\":\"{}\",\"duration\":1.5,\"amount\":2.50}%n",
              PREFIX, f, i, i % 1000, i / 60 % 60, i % 60));
    }
    Path hidden = input.resolve(String.format(".part-%04d.json.tmp", f));
    try {
      Files.writeString(hidden, lines, StandardCharsets.UTF_8);
      Files.move(
          hidden,
          input.resolve(String.format("part-%04d.json", f)),
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot drop event file " + f + " into " + input, e);
    }
    return System.nanoTime();
  }

  private static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  /**
   * Follows a Delta table's log: reads each new commit's added Parquet files' {@code event_id}s and
   * notes, per dropped file, when its last row became visible.
   */
  static final class Poller implements AutoCloseable {
    private final Path table;
    private final int rows;
    private final long pollMs;
    private final Map<Integer, Long> counts = new ConcurrentHashMap<>();
    final Map<Integer, Long> visible = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    Poller(Path table, int rows, long pollMs) {
      this.table = table;
      this.rows = rows;
      this.pollMs = pollMs;
      this.thread = new Thread(this::loop, "freshness-poller");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void loop() {
      long next = 0;
      Map<String, Long> live = new HashMap<>();
      try {
        while (running) {
          List<DeltaLog.Commit> commits;
          Map<String, Long> copy = new HashMap<>(live);
          try {
            commits = DeltaLog.commitsFrom(table, next, copy);
          } catch (IllegalStateException partlyWritten) {
            commits = List.of();
            copy = live;
          }
          long seen = System.nanoTime();
          live = copy;
          for (DeltaLog.Commit c : commits) {
            for (String file : c.added()) {
              countRows(table.resolve(new URI(null, null, file, null).getPath()));
            }
            next = c.version() + 1;
          }
          counts.forEach(
              (f, n) -> {
                if (n >= rows) {
                  visible.putIfAbsent(f, seen);
                }
              });
          Thread.sleep(pollMs);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        failure = new IllegalStateException("The freshness poller failed reading " + table, e);
      }
    }

    private void countRows(Path parquet) throws IOException {
      org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
      conf.set("parquet.read.schema", "message silver { optional binary event_id (STRING); }");
      try (ParquetReader<Group> reader =
          ParquetReader.builder(
                  new GroupReadSupport(), new org.apache.hadoop.fs.Path(parquet.toUri()))
              .withConf(conf)
              .build()) {
        Group g;
        while ((g = reader.read()) != null) {
          String id = g.getString("event_id", 0);
          if (id.startsWith(PREFIX)) {
            counts.merge(fileOf(id), 1L, Long::sum);
          }
        }
      }
    }

    /** Waits until file {@code f} is visible; fails after {@code timeoutMs} or if the update ends. */
    void await(int f, long timeoutMs, RunningUpdate update) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!visible.containsKey(f)) {
        if (failure != null) {
          throw failure;
        }
        UpdateState state = update.state();
        boolean ended =
            state == UpdateState.COMPLETED
                || state == UpdateState.FAILED
                || state == UpdateState.STOPPED;
        if (ended || System.currentTimeMillis() > deadline) {
          update.stop();
          throw new IllegalStateException(
              "Dropped file "
                  + f
                  + " did not become visible in "
                  + table
                  + " within "
                  + timeoutMs
                  + " ms (update "
                  + update.state()
                  + "; rows seen per file: "
                  + counts
                  + ")");
        }
        Thread.sleep(5);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
