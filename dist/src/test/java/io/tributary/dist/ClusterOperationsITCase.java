package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.config.PipelineConfigLoader;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Operating a pipeline on a standalone cluster of separate JVMs (two TaskManagers of two slots each, a
 * heartbeat timeout of 6 s): a TaskManager killed with {@code kill -9} in the middle of a production
 * update (Flink restarts the job from its last checkpoint on the slots left, the update completes and
 * every table is exact); the pipeline's {@code flink:} settings as the cluster's REST API reports them
 * for each job; and {@code pipelines.cluster.caughtUpTimeout}.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class ClusterOperationsITCase {

  private static final Path WORK = Path.of("target", "cluster", "operations").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static StandaloneFlinkCluster cluster;

  /**
   * Events read one file per epoch ({@code maxFilesPerTrigger}), so a triggered update of a few files
   * lasts several checkpoints; redelivered events (exact copies) and non-positive amounts are dropped
   * in silver; gold sums per customer.
   */
  public static final class ThrottledEvents implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_events")
          .from(
              AutoLoader.json(p.conf("source.events", "events"))
                  .schema("event_id STRING, customer STRING, amount BIGINT")
                  .option("maxFilesPerTrigger", "1"));
      p.streamingTable("silver_events")
          .sql("SELECT event_id, customer, amount FROM STREAM(bronze_events)")
          .dropDuplicates("event_id")
          .expectOrDrop("positive_amount", "amount > 0");
      p.table("gold_totals")
          .sql(
              "SELECT customer, COUNT(*) AS events, SUM(amount) AS total FROM silver_events GROUP BY customer");
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        StandaloneFlinkCluster.builder(WORK)
            .taskManagers(2)
            .slotsPerTaskManager(2)
            .taskManagerMemory("2048m")
            .set("taskmanager.memory.jvm-metaspace.size", "768m")
            .set("jobmanager.memory.process.size", "1536m")
            .set("jobmanager.memory.jvm-metaspace.size", "512m")
            // a lost TaskManager is noticed within seconds, not Flink's default 50 s
            .set("heartbeat.interval", "1000")
            .set("heartbeat.timeout", "6000")
            // The JobManager's metric store, where the sources' caught-up gauges are read, fetches
            // again only once its last fetch ended, and a fetch from a TaskManager killed meanwhile
            // waits for web.timeout (Flink's default 10 min): with it, the update waited for
            // caught-up 10 minutes after the kill.
            .set("web.timeout", "15000")
            .startTimeout(Duration.ofSeconds(180))
            .start();
    cluster.awaitTaskManagers(2, Duration.ofSeconds(120));
    System.out.printf("standalone cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Production mode, parallelism 2, RocksDB: while the streaming job is in the middle of its update
   * (some epochs committed, files left), the TaskManager running it is killed with {@code kill -9}.
   * Flink restarts the job from its last checkpoint on the other TaskManager's slots, the update
   * completes, and every table is exactly what the input makes. The jobs' settings as the REST API
   * reports them are the pipeline file's.
   */
  @Test
  void aTaskManagerKilledMidUpdateRestartsFromTheLastCheckpointAndEveryTableIsExact()
      throws Exception {
    long seed = Long.getLong("tributary.seed", System.nanoTime());
    System.out.printf(
        "ClusterOperationsITCase seed %d (-Dtributary.seed=%d to repeat)%n", seed, seed);
    Random random = new Random(seed);
    Path events = WORK.resolve("events-" + UUID.randomUUID());
    List<String[]> written = writeEvents(random, events, 12, 40);
    Path storage = WORK.resolve("storage-" + UUID.randomUUID());
    Path file =
        pipelineFile(
            storage,
            events,
            """
        development: false
        trigger:
          interval: 1 s
        flink:
          cluster: %s
          parallelism: 2
          options:
            state.backend.type: rocksdb
            state.backend.incremental: "true"
            execution.checkpointing.timeout: 2 min
            restart-strategy.fixed-delay.attempts: "5"
        """
                .formatted(cluster.restAddress()));

    long start = System.nanoTime();
    RunningUpdate update = Tributary.fromConfig(PipelineConfigLoader.load(file)).start();
    Path record = storage.resolve("_tributary/updates/000001.json");
    String streaming = awaitStreamingJob(update, record, Duration.ofMinutes(5));
    // some epochs committed and files left: the kill lands in the middle of the update
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (commits(storage, "bronze_events") < 3) {
      assertThat(update.state()).as("the update runs").isEqualTo(UpdateState.RUNNING);
      assertThat(System.nanoTime())
          .as("three commits of bronze_events within 5 min")
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    int before = commits(storage, "bronze_events");
    int victim = taskManagerOf(streaming);
    cluster.killTaskManager(victim);
    System.out.printf(
        "killed TaskManager %d (kill -9) after %d bronze commits, %d ms into the update%n",
        victim, before, (System.nanoTime() - start) / 1_000_000);

    UpdateResult result = update.await();
    System.out.printf(
        "update 1: %s in %d ms%n", result.state(), (System.nanoTime() - start) / 1_000_000);
    assertThat(result.error()).isEmpty();
    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(commits(storage, "bronze_events"))
        .as("bronze commits: the update went on after the kill")
        .isGreaterThan(before);
    JsonNode exceptions = cluster.get("/jobs/" + streaming + "/exceptions");
    assertThat(exceptions.path("exceptionHistory").path("entries").size())
        .as("failures Flink restarted job %s after: %s", streaming, exceptions)
        .isPositive();

    // exact: every input line once in bronze, each distinct positive event once in silver, gold
    // their sums
    List<String> bronze = new ArrayList<>();
    Map<String, String[]> silver = new TreeMap<>();
    for (String[] event : written) {
      bronze.add(String.join(",", event));
      if (Long.parseLong(event[2]) > 0) {
        silver.put(event[0], event);
      }
    }
    Map<String, long[]> gold = new TreeMap<>();
    silver
        .values()
        .forEach(
            e -> {
              long[] sums = gold.computeIfAbsent(e[1], c -> new long[2]);
              sums[0]++;
              sums[1] += Long.parseLong(e[2]);
            });
    assertThat(fields(storage, "bronze_events")).isEqualTo(bronze.stream().sorted().toList());
    assertThat(fields(storage, "silver_events"))
        .isEqualTo(silver.values().stream().map(e -> String.join(",", e)).sorted().toList());
    assertThat(fields(storage, "gold_totals"))
        .isEqualTo(
            gold.entrySet().stream()
                .map(e -> e.getKey() + "," + e.getValue()[0] + "," + e.getValue()[1])
                .sorted()
                .toList());

    // the pipeline file's flink: settings, as the cluster reports them for each job
    Map<String, String> jobs = new LinkedHashMap<>();
    JSON.readTree(Files.readString(record))
        .path("jobs")
        .forEach(job -> jobs.put(job.path("job_id").asText(), job.path("mode").asText()));
    // bronze+silver, and gold refreshed incrementally (a streaming job over its input's new
    // commits)
    assertThat(jobs).hasSize(2).containsEntry(streaming, "STREAMING");
    for (Map.Entry<String, String> job : jobs.entrySet()) {
      String jid = job.getKey();
      JsonNode config = cluster.get("/jobs/" + jid + "/config").path("execution-config");
      System.out.printf("job %s (%s) /config: %s%n", jid, job.getValue(), config);
      assertThat(config.path("job-parallelism").asInt())
          .as("job-parallelism of " + jid)
          .isEqualTo(2);
      int widest = 0;
      for (JsonNode vertex : cluster.get("/jobs/" + jid).path("vertices")) {
        widest = Math.max(widest, vertex.path("parallelism").asInt());
      }
      assertThat(widest).as("the widest vertex of " + jid).isEqualTo(2);
      if (job.getValue().equals("STREAMING")) {
        assertThat(config.path("restart-strategy").asText())
            .as("restart strategy of " + jid)
            .containsIgnoringCase("fixed delay")
            .contains("5");
        JsonNode checkpoints = cluster.get("/jobs/" + jid + "/checkpoints/config");
        System.out.printf("job %s /checkpoints/config: %s%n", jid, checkpoints);
        assertThat(checkpoints.path("interval").asLong())
            .as("checkpoint interval of " + jid)
            .isEqualTo(1000);
        assertThat(checkpoints.path("timeout").asLong())
            .as("checkpoint timeout of " + jid)
            .isEqualTo(120_000);
        assertThat(checkpoints.path("state_backend").asText())
            .as("state backend of " + jid)
            .isEqualTo("EmbeddedRocksDBStateBackend");
      }
    }
  }

  /** A source that never reports caught up within the timeout fails the update, naming the source. */
  @Test
  void anUpdateWithoutACaughtUpSignalInTimeFailsNamingTheSource() throws Exception {
    Path events = WORK.resolve("events-" + UUID.randomUUID());
    writeEvents(new Random(7), events, 1, 5);
    Path storage = WORK.resolve("storage-" + UUID.randomUUID());
    Path file =
        pipelineFile(
            storage,
            events,
            """
        flink:
          cluster: %s
          parallelism: 1
        """
                    .formatted(cluster.restAddress())
                + "configuration:\n  source.events: "
                + events
                + "\n  pipelines.cluster.caughtUpTimeout: 1 ms\n");

    UpdateResult result = Tributary.fromConfig(PipelineConfigLoader.load(file)).run();
    System.out.printf(
        "update with a 1 ms caught-up timeout: %s %s%n", result.state(), result.error());
    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error())
        .hasValueSatisfying(
            error ->
                assertThat(error)
                    .contains(
                        "Job 'stream_bronze_events' on the Flink cluster at "
                            + cluster.restAddress()
                            + ": Update ")
                    .contains(": source 'bronze_events")
                    .contains("did not catch up within PT0.001S")
                    .contains(
                        "The wait is pipelines.cluster.caughtUpTimeout in the pipeline's configuration (now 1 ms); the job"
                            + " is cancelled."));
    // development mode (the default): the job ran without restarts on the cluster too
    String jid =
        JSON.readTree(Files.readString(storage.resolve("_tributary/updates/000001.json")))
            .path("jobs")
            .get(0)
            .path("job_id")
            .asText();
    // as the message says, the job is cancelled on the cluster (ClusterJobWatch.WatchedResult
    // has the cluster take the cancellation before the update ends)
    long cancelled = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    String state = cluster.get("/jobs/" + jid).path("state").asText();
    while (!state.equals("CANCELED") && System.nanoTime() < cancelled) {
      Thread.sleep(200);
      state = cluster.get("/jobs/" + jid).path("state").asText();
    }
    assertThat(state)
        .as("job %s on the cluster after the failed update", jid)
        .isEqualTo("CANCELED");
    // the strategy the JobMaster uses, from its log, which the JobManager writes as it creates the
    // JobMaster (not before the submission is acknowledged): for a submitted stream graph with
    // restart-strategy.type none, Flink 2.3's REST /config describes "Cluster level default restart
    // strategy", whatever the job's setting
    String strategy = null;
    long logged = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (strategy == null && System.nanoTime() < logged) {
      strategy =
          Files.readAllLines(cluster.logDir().resolve("jobmanager.log")).stream()
              .filter(
                  line ->
                      line.contains("Using restart back off time strategy") && line.contains(jid))
              .findFirst()
              .orElse(null);
      if (strategy == null) {
        Thread.sleep(200);
      }
    }
    assertThat(strategy).as("the restart strategy logged for job %s", jid).isNotNull();
    System.out.printf("development mode's job %s: %s%n", jid, strategy);
    assertThat(strategy)
        .as("restart strategy in development mode")
        .contains("NoRestartBackoffTimeStrategy");
  }

  private static Path pipelineFile(Path storage, Path events, String rest) throws IOException {
    Path file = WORK.resolve("pipeline-" + UUID.randomUUID() + ".yml");
    String configuration =
        rest.contains("configuration:") ? "" : "configuration:\n  source.events: " + events + "\n";
    Files.writeString(
        file,
        "name: events\nstorage: "
            + storage
            + "\nlibraries:\n  - "
            + ThrottledEvents.class.getName()
            + "\n"
            + configuration
            + rest);
    return file;
  }

  /**
   * {@code files} files of {@code perFile} events over five customers; about one in ten an exact copy
   * of an earlier event (a redelivery), about one in twelve with an amount of zero or less.
   */
  private static List<String[]> writeEvents(Random random, Path dir, int files, int perFile)
      throws IOException {
    Files.createDirectories(dir);
    List<String[]> all = new ArrayList<>();
    int next = 0;
    for (int f = 0; f < files; f++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < perFile; i++) {
        String[] event;
        if (!all.isEmpty() && random.nextInt(10) == 0) {
          event = all.get(random.nextInt(all.size()));
        } else {
          long amount = random.nextInt(12) == 0 ? -random.nextInt(3) : 1 + random.nextInt(500);
          event = new String[] {"e" + next++, "c" + random.nextInt(5), String.valueOf(amount)};
        }
        all.add(event);
        lines
            .append("{\"event_id\":\"")
            .append(event[0])
            .append("\",\"customer\":\"")
            .append(event[1])
            .append("\",\"amount\":")
            .append(event[2])
            .append("}\n");
      }
      Path tmp = dir.resolveSibling(dir.getFileName() + "-" + f + ".tmp");
      Files.writeString(tmp, lines);
      Files.move(tmp, dir.resolve(String.format("events-%03d.json", f)));
    }
    return all;
  }

  /** Waits until the update's record names its streaming job and the cluster runs all its tasks. */
  private static String awaitStreamingJob(RunningUpdate update, Path record, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertThat(update.state()).as("the update runs").isEqualTo(UpdateState.RUNNING);
      if (Files.exists(record)) {
        for (JsonNode job : JSON.readTree(Files.readString(record)).path("jobs")) {
          if (job.path("mode").asText().equals("STREAMING")) {
            String jid = job.path("job_id").asText();
            if (allTasksRunning(jid)) {
              return jid;
            }
          }
        }
      }
      assertThat(System.nanoTime())
          .as("a streaming job with every task RUNNING within " + timeout)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static boolean allTasksRunning(String jid) throws InterruptedException {
    try {
      JsonNode job = cluster.get("/jobs/" + jid);
      if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
        return false;
      }
      for (JsonNode vertex : job.path("vertices")) {
        if (!vertex.path("status").asText().equals("RUNNING")) {
          return false;
        }
      }
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The index of a TaskManager that runs a task of job {@code jid}. */
  private static int taskManagerOf(String jid) throws Exception {
    for (JsonNode vertex : cluster.get("/jobs/" + jid).path("vertices")) {
      JsonNode managers =
          cluster.get("/jobs/" + jid + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
      for (JsonNode manager : managers.path("taskmanagers")) {
        String id = manager.path("taskmanager-id").asText();
        for (int i = 0; i < 2; i++) {
          if (id.equals(StandaloneFlinkCluster.taskManagerId(i))) {
            return i;
          }
        }
      }
    }
    throw new IllegalStateException("No TaskManager of job " + jid + " found over REST");
  }

  private static int commits(Path storage, String table) throws IOException {
    Path log = storage.resolve("tables").resolve(table).resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(log)) {
      return (int) files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).count();
    }
  }

  /** A table's rows as comma-joined fields, sorted. */
  private static List<String> fields(Path storage, String table) {
    return DeltaTableReader.readAll(storage.resolve("tables").resolve(table).toString()).stream()
        .map(
            row -> {
              List<String> values = new ArrayList<>();
              for (int i = 0; i < row.getArity(); i++) {
                values.add(String.valueOf(row.getField(i)));
              }
              return String.join(",", values);
            })
        .sorted()
        .toList();
  }
}
