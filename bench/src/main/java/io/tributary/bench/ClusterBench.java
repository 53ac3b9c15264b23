package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;

/**
 * {@code bin/bench --mode cluster [--targets embedded,standalone] [--parallelisms 1,2]}: the medallion update ({@link BenchmarkPipeline}, bronze → silver →
 * gold) at each {@code --parallelisms} (default {@code 1,2}) on the embedded cluster and on a standalone
 * cluster of separate JVMs (1 JobManager, 1 TaskManager with 2 slots, Flink's jars only; the jobs carry
 * the deployable jar, {@code --flink-jar}, default {@code dist/target/tributary-flink.jar}). After each
 * update it reads every job's vertices from the cluster's REST API ({@code GET /jobs/<jid>}: each vertex,
 * an operator chain, with its {@code duration} and its {@code read-records}/{@code write-records}) and
 * prints each vertex's records per second: the records it wrote (a source) or read, over the vertex's
 * running time, which for the streaming job's vertices includes the wait until every source caught up
 * and the stop with a savepoint. It reads a job's figures once the cluster reports it FINISHED (the update ends
 * when the savepoint is taken; the job's last counters arrive a moment later).
 *
 * <p>{@code --runs N} (default 3) updates per target and parallelism, each on a fresh storage root; the vertices
 * of the last are printed, and the medians of all as {@code key=value} lines. Each update's gold is checked
 * against a recomputation from the raw files ({@link GoldTables#recompute}) and silver's rows against the
 * recomputation's count.
 */
final class ClusterBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ClusterBench() {}

  static boolean run(Map<String, String> o) {
    try {
      return measureAll(o);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  private static boolean measureAll(Map<String, String> o)
      throws IOException, InterruptedException {
    Path events = Bench.data(o).resolve("events");
    Path work = Bench.work(o).resolve("cluster");
    List<Integer> parallelisms =
        List.of(o.getOrDefault("parallelisms", "1,2").split(",")).stream()
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    Path jar =
        Path.of(
                o.getOrDefault(
                    "flink-jar",
                    Path.of(System.getProperty("bench.root", "."))
                        .resolve("dist/target/tributary-flink.jar")
                        .toString()))
            .toAbsolutePath();
    System.setProperty("tributary.flinkJar", jar.toString());
    long lines = EventFiles.lines(events);
    System.out.printf(
        "[cluster] input %s: %d files, %d lines, %.1f MB; parallelisms %s; deployable jar %s%n",
        events,
        EventFiles.list(events).size(),
        lines,
        EventFiles.bytes(events) / 1e6,
        parallelisms,
        jar);
    int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
    List<GoldRow> expectedGold = GoldTables.recompute(events);
    Map<String, List<Double>> seconds = new java.util.LinkedHashMap<>();
    boolean ok = true;
    List<String> targets = List.of(o.getOrDefault("targets", "embedded,standalone").split(","));

    long start = System.nanoTime();
    if (targets.contains("embedded"))
      try (EmbeddedCluster embedded = EmbeddedCluster.start(2, new Configuration())) {
        System.out.printf(
            "[cluster] embedded cluster (1 TaskManager, 2 slots) up in %.2f s%n",
            Bench.seconds(start));
        for (int p : parallelisms) {
          for (int run = 1; run <= runs; run++) {
            ok &=
                measure(
                    "embedded",
                    p,
                    run == runs,
                    embedded.restAddress(),
                    events,
                    work.resolve("embedded-p" + p),
                    lines,
                    expectedGold,
                    seconds,
                    builder -> builder.cluster(embedded));
          }
        }
      }
    start = System.nanoTime();
    if (targets.contains("standalone"))
      try (StandaloneFlinkCluster standalone =
          StandaloneFlinkCluster.builder(work.resolve("standalone-cluster"))
              .taskManagers(1)
              .slotsPerTaskManager(2)
              .taskManagerMemory("4096m")
              .set("taskmanager.memory.jvm-metaspace.size", "1g")
              .set("jobmanager.memory.process.size", "1536m")
              .set("jobmanager.memory.jvm-metaspace.size", "512m")
              .startTimeout(Duration.ofSeconds(300))
              .start()) {
        System.out.printf(
            "[cluster] standalone cluster (separate JVMs: 1 JobManager, 1 TaskManager with 2 slots, "
                + "4096m) up in %.2f s%n",
            Bench.seconds(start));
        for (int p : parallelisms) {
          for (int run = 1; run <= runs; run++) {
            ok &=
                measure(
                    "standalone",
                    p,
                    run == runs,
                    standalone.restUri(),
                    events,
                    work.resolve("standalone-p" + p),
                    lines,
                    expectedGold,
                    seconds,
                    builder -> builder.cluster(standalone.restAddress()));
          }
        }
      }
    seconds.forEach(
        (key, values) ->
            System.out.printf(
                "%s.median=%.2f (of %d)%n",
                key, Bench.median(values, Double::doubleValue), values.size()));
    System.out.println("checks=" + (ok ? "PASS" : "FAIL"));
    return ok;
  }

  private static boolean measure(
      String target,
      int parallelism,
      boolean printVertices,
      URI rest,
      Path events,
      Path storage,
      long lines,
      List<GoldRow> expectedGold,
      Map<String, List<Double>> seconds,
      Function<Tributary.Builder, Tributary.Builder> on)
      throws IOException, InterruptedException {
    BenchmarkRun.deleteRecursively(storage);
    Set<String> before = jobIds(rest);
    PipelineConfig config =
        new PipelineConfig(
            "bench",
            storage.toAbsolutePath().toString(),
            List.of(BenchmarkPipeline.class.getName()),
            Map.of(BenchmarkPipeline.SOURCE_KEY, events.toAbsolutePath().toString()),
            false,
            true,
            PipelineConfig.DEFAULT_TRIGGER_INTERVAL,
            parallelism,
            BenchmarkRun.flinkOptions(storage));
    long start = System.nanoTime();
    RunningUpdate update = on.apply(Tributary.fromConfig(config)).start();
    UpdateResult result = update.await();
    double wall = Bench.seconds(start);
    System.out.printf(
        "[%s p=%d] update %s in %.2f s (%.0f input lines/s)%n",
        target,
        parallelism,
        result.state(),
        wall,
        lines / wall,
        result.error().map(e -> "; " + e).orElse(""));
    if (result.state() != UpdateState.COMPLETED) {
      System.out.printf(
          "[%s p=%d] error: %s%n", target, parallelism, result.error().orElse("none"));
      return false;
    }
    String key = target + ".p" + parallelism;
    seconds.computeIfAbsent(key + ".update_s", k -> new ArrayList<>()).add(wall);
    GoldComparison gold =
        GoldComparison.of(
            GoldTables.fromDelta(
                storage.resolve("tables/gold_daily_metrics").toAbsolutePath().toString()),
            expectedGold);
    long silver =
        io.tributary.runtime.delta.read.DeltaTableSummary.of(
                storage.resolve("tables/silver_events").toAbsolutePath().toString())
            .map(io.tributary.runtime.delta.read.DeltaTableSummary::rows)
            .orElse(-1L);
    long expectedSilver = expectedGold.stream().mapToLong(GoldRow::eventCount).sum();
    boolean checked = gold.passed() && silver == expectedSilver;
    System.out.printf(
        "[%s p=%d] silver rows %,d (expected %,d), gold %s: %s%n",
        target, parallelism, silver, expectedSilver, gold.summary(), checked ? "PASS" : "FAIL");
    List<String> ids = new ArrayList<>();
    for (JsonNode job : get(rest, "/jobs/overview").path("jobs")) {
      if (!before.contains(job.path("jid").asText())) {
        ids.add(job.path("jid").asText());
      }
    }
    for (String id : ids) {
      JsonNode job = finished(rest, id);
      seconds
          .computeIfAbsent(
              key + "." + job.path("name").asText().replace("bench: ", "") + "_s",
              k -> new ArrayList<>())
          .add(job.path("duration").asLong() / 1000.0);
      if (!printVertices) {
        continue;
      }
      System.out.printf(
          "[%s p=%d] job '%s' %s, %.2f s%n",
          target,
          parallelism,
          job.path("name").asText(),
          job.path("state").asText(),
          job.path("duration").asLong() / 1000.0);
      for (JsonNode vertex : job.path("vertices")) {
        double vertexSeconds = vertex.path("duration").asLong() / 1000.0;
        long read = vertex.path("metrics").path("read-records").asLong();
        long written = vertex.path("metrics").path("write-records").asLong();
        long records = read > 0 ? read : written;
        System.out.printf(
            "[%s p=%d]   %-70s x%d  read %,10d  written %,10d  %7.2f s  %,10.0f records/s%n",
            target,
            parallelism,
            abbreviate(vertex.path("name").asText(), 70),
            vertex.path("parallelism").asInt(),
            read,
            written,
            vertexSeconds,
            vertexSeconds > 0 ? records / vertexSeconds : 0);
      }
    }
    return checked;
  }

  /** The job's details once the cluster reports it in a terminal state, or as they are after 60 s. */
  private static JsonNode finished(URI rest, String id) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job = get(rest, "/jobs/" + id);
    while (!Set.of("FINISHED", "CANCELED", "FAILED").contains(job.path("state").asText())
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
      job = get(rest, "/jobs/" + id);
    }
    return job;
  }

  private static String abbreviate(String name, int length) {
    return name.length() <= length ? name : name.substring(0, length - 1) + "…";
  }

  private static Set<String> jobIds(URI rest) throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    get(rest, "/jobs/overview").path("jobs").forEach(job -> ids.add(job.path("jid").asText()));
    return ids;
  }

  private static JsonNode get(URI rest, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
