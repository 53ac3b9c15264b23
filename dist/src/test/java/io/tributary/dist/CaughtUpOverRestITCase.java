package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaSink;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.remote.RestCaughtUpReader;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.source.AutoLoaderSource;
import io.tributary.runtime.source.CaughtUpRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * A triggered update's caught-up signal through Flink, on a standalone cluster of separate JVMs whose
 * classpath holds only Flink's jars: the job's classes come from the deployable jar (Auto Loader, the
 * Delta sink with Kernel, Parquet and Hadoop's file system), its Auto Loader enumerator runs in the
 * JobManager's JVM, and the test (the runner's side) learns that it caught up only over REST — never
 * through {@link CaughtUpRegistry}, which in this JVM stays empty.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class CaughtUpOverRestITCase {

  private static final String SOURCE_ID = "bronze_events/source";
  private static final Pattern CAUGHT_UP_LOG =
      Pattern.compile(
          "(\\d\\d:\\d\\d:\\d\\d,\\d{3}) .*Auto Loader source '"
              + Pattern.quote(SOURCE_ID)
              + "' caught up in update (\\S+)\\.");

  /** The jobs the running test submitted. */
  private static final List<JobClient> SUBMITTED = new ArrayList<>();

  private static StandaloneFlinkCluster cluster;
  private static RestCaughtUpReader reader;
  private static final Path WORK = Path.of("target", "cluster", "caught-up").toAbsolutePath();

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        StandaloneFlinkCluster.builder(WORK)
            .taskManagers(1)
            .slotsPerTaskManager(2)
            .startTimeout(Duration.ofSeconds(120))
            .start();
    System.out.printf(
        "standalone cluster up (1 JobManager, 1 TaskManager) in %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    reader = new RestCaughtUpReader(cluster.restUri());
  }

  /**
   * Cancels the jobs a test left running when it failed half-way, so its slots do not fail the next
   * test with a second, misleading error.
   */
  @AfterEach
  void cancelJobsLeftRunning() throws Exception {
    for (JobClient job : SUBMITTED) {
      if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
        job.cancel().get(30, TimeUnit.SECONDS);
      }
    }
    SUBMITTED.clear();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void eachUpdateCaughtUpIsReadOverRestForItsOwnUpdateIdAndTheNextReadsOnlyNewFiles()
      throws Exception {
    Path input = WORK.resolve("input-" + UUID.randomUUID());
    write(input.resolve("a.json"), "{\"id\":\"a1\"}\n{\"id\":\"a2\"}\n{\"id\":\"a3\"}\n");
    write(input.resolve("day=1/b.json"), "{\"id\":\"b1\"}\n");
    AutoLoader spec = AutoLoader.json(input.toString()).schema("id STRING");
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    String run = UUID.randomUUID().toString();
    String table = WORK.resolve("tables-" + run).resolve("bronze_events").toString();

    String first = "update-1-" + run;
    JobClient job1 = submit(spec, type, table, first, null);
    String jid1 = job1.getJobID().toHexString();
    long submitted = System.nanoTime();
    reader.await(jid1, first, List.of(SOURCE_ID), Duration.ofSeconds(90));
    LocalTime heard = LocalTime.now();
    System.out.printf(
        "update 1: caught up over REST %d ms after submission%n",
        (System.nanoTime() - submitted) / 1_000_000);
    System.out.printf(
        "update 1: signal latency (enumerator's log line to REST) %d ms%n",
        latencyMillis(first, heard));

    assertThat(reader.caughtUp(jid1, "update-0-" + run))
        .isEmpty(); // another update's id never counts
    assertThatThrownBy(
            () ->
                reader.await(
                    jid1, first, List.of(SOURCE_ID, "silver/source"), Duration.ofSeconds(1)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageStartingWith(
            "Update "
                + first
                + ": source 'silver/source' of job "
                + jid1
                + " did not catch up within PT1S");
    assertThat(sourceRecordsOut(jid1, 4)).isEqualTo(4);
    String savepoint = stopWithSavepoint(job1);
    // the savepoint completes a moment before the job reports FINISHED over REST
    assertThat(stateWithin(jid1, "FINISHED", Duration.ofSeconds(30))).isEqualTo("FINISHED");
    assertThat(ids(table)).containsExactlyInAnyOrder("a1", "a2", "a3", "b1");

    // the next update restores the savepoint: it lists again, for its own id, and reads only the
    // new file
    write(input.resolve("day=2/c.json"), "{\"id\":\"c1\"}\n");
    String second = "update-2-" + run;
    JobClient job2 = submit(spec, type, table, second, savepoint);
    String jid2 = job2.getJobID().toHexString();
    reader.await(jid2, second, List.of(SOURCE_ID), Duration.ofSeconds(90));
    assertThat(reader.caughtUp(jid2, first)).isEmpty();
    assertThat(sourceRecordsOut(jid2, 1)).isEqualTo(1);
    stopWithSavepoint(job2);
    assertThat(ids(table)).containsExactlyInAnyOrder("a1", "a2", "a3", "b1", "c1");

    // every signal came through Flink: nothing in this JVM awaited or reported these updates
    assertThat(CaughtUpRegistry.tracks(first)).isFalse();
    assertThat(CaughtUpRegistry.tracks(second)).isFalse();
    // and the enumerator did report in the JobManager's JVM, through the same code an embedded run
    // uses
    assertThat(Files.readString(cluster.logDir().resolve("jobmanager.log")))
        .contains("Auto Loader source '" + SOURCE_ID + "' caught up in update " + second + ".");
  }

  /**
   * Two jobs of one update side by side on the cluster's two slots, as a triggered update runs
   * independent jobs (one slot each at parallelism 1): the cluster's free slots, read over REST, say
   * how many fit, and each job's caught-up signal is read for its own sources while the other job
   * runs, and still after the other one ended. Both jobs carry the same update id, as an update's do.
   */
  @Test
  void jobsOfOneUpdateSideBySideEachCatchUpOnTheirOwnAndTheFreeSlotsAreReadOverRest()
      throws Exception {
    assertThat(freeSlotsWithin(2, Duration.ofSeconds(60)))
        .as("free slots of the idle cluster")
        .isEqualTo(2);
    String run = UUID.randomUUID().toString();
    Path inputA = WORK.resolve("input-a-" + run);
    Path inputB = WORK.resolve("input-b-" + run);
    write(inputA.resolve("a.json"), "{\"id\":\"a1\"}\n{\"id\":\"a2\"}\n{\"id\":\"a3\"}\n");
    write(inputB.resolve("b.json"), "{\"id\":\"b1\"}\n{\"id\":\"b2\"}\n");
    AutoLoader specA = AutoLoader.json(inputA.toString()).schema("id STRING");
    AutoLoader specB = AutoLoader.json(inputB.toString()).schema("id STRING");
    RowType type =
        AutoLoaderSchemas.resolve(specA, "/unused", new org.apache.hadoop.conf.Configuration());
    String tableA = WORK.resolve("tables-" + run).resolve("bronze_a").toString();
    String tableB = WORK.resolve("tables-" + run).resolve("bronze_b").toString();
    String update = "update-side-by-side-" + run;

    JobClient jobA = submit(specA, type, tableA, update, "bronze_a", 1);
    JobClient jobB = submit(specB, type, tableB, update, "bronze_b", 1);
    String jidA = jobA.getJobID().toHexString();
    String jidB = jobB.getJobID().toHexString();
    // both waits at once, each on a thread of its own, as the executor waits for its jobs
    ExecutorService waits = Executors.newFixedThreadPool(2);
    try {
      Future<?> a =
          waits.submit(
              () -> {
                reader.await(jidA, update, List.of("bronze_a/source"), Duration.ofSeconds(90));
                return null;
              });
      Future<?> b =
          waits.submit(
              () -> {
                reader.await(jidB, update, List.of("bronze_b/source"), Duration.ofSeconds(90));
                return null;
              });
      a.get(120, TimeUnit.SECONDS);
      b.get(120, TimeUnit.SECONDS);
    } finally {
      waits.shutdownNow();
    }
    assertThat(reader.caughtUp(jidA, update)).containsExactly("bronze_a/source");
    assertThat(reader.caughtUp(jidB, update)).containsExactly("bronze_b/source");
    assertThat(freeSlotsWithin(0, Duration.ofSeconds(30)))
        .as("free slots while both jobs run")
        .isEqualTo(0);
    // one job's signal never stands for the other's sources, though both are of the same update
    assertThatThrownBy(
            () -> reader.await(jidA, update, List.of("bronze_b/source"), Duration.ofSeconds(1)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageStartingWith(
            "Update "
                + update
                + ": source 'bronze_b/source' of job "
                + jidA
                + " did not catch up within PT1S");

    stopWithSavepoint(jobA);
    assertThat(stateWithin(jidA, "FINISHED", Duration.ofSeconds(30))).isEqualTo("FINISHED");
    // the job still running keeps its signal once the other one ended
    assertThat(reader.caughtUp(jidB, update)).containsExactly("bronze_b/source");
    assertThat(freeSlotsWithin(1, Duration.ofSeconds(30)))
        .as("free slots once one job ended")
        .isEqualTo(1);
    stopWithSavepoint(jobB);
    assertThat(stateWithin(jidB, "FINISHED", Duration.ofSeconds(30))).isEqualTo("FINISHED");
    assertThat(ids(tableA)).containsExactlyInAnyOrder("a1", "a2", "a3");
    assertThat(ids(tableB)).containsExactlyInAnyOrder("b1", "b2");
    assertThat(freeSlotsWithin(2, Duration.ofSeconds(60)))
        .as("free slots once both ended")
        .isEqualTo(2);
    assertThat(CaughtUpRegistry.tracks(update)).isFalse();
  }

  /** The cluster's free slots over REST once they are {@code expected}, or the last read when {@code timeout} ran out. */
  private static int freeSlotsWithin(int expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = -1;
    while (true) {
      seen = reader.freeSlots().orElse(-1);
      if (seen == expected || System.nanoTime() > deadline) {
        return seen;
      }
      Thread.sleep(100);
    }
  }

  /** A triggered update's job, its classes shipped in the deployable jar, submitted as a remote client does. */
  private static JobClient submit(
      AutoLoader spec, RowType type, String table, String updateId, String restoreFrom)
      throws Exception {
    Configuration conf = new Configuration();
    if (restoreFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    }
    return submit(conf, spec, type, table, updateId, "bronze_events", 2);
  }

  /** A job of {@code dataset} ({@code <dataset>/source}) without a savepoint to restore, at {@code parallelism}. */
  private static JobClient submit(
      AutoLoader spec, RowType type, String table, String updateId, String dataset, int parallelism)
      throws Exception {
    return submit(new Configuration(), spec, type, table, updateId, dataset, parallelism);
  }

  private static JobClient submit(
      Configuration conf,
      AutoLoader spec,
      RowType type,
      String table,
      String updateId,
      String dataset,
      int parallelism)
      throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment(
            "127.0.0.1", cluster.restPort(), conf, DeployableJarTest.jar().toString());
    env.setParallelism(parallelism);
    env.enableCheckpointing(1000);
    DeltaSink.write(
        env.fromSource(
                AutoLoaderSource.triggered(spec, type, updateId, dataset + "/source"),
                WatermarkStrategy.noWatermarks(),
                dataset)
            .uid(dataset + "/source")
            .rebalance(), // the writer in its own vertex, so the source vertex's records out are
        // its rows
        DeltaWriteSpec.append(table, type, "cluster-test/" + dataset),
        dataset);
    JobClient job = env.executeAsync(updateId);
    SUBMITTED.add(job);
    return job;
  }

  /** Stops the job with a savepoint once every task runs (FLINK-FACTS: not before), as a runner does. */
  private static String stopWithSavepoint(JobClient job) throws Exception {
    String jid = job.getJobID().toHexString();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!reader.allTasksRunning(jid)) {
      assertThat(System.nanoTime())
          .as("every task of " + jid + " RUNNING within 120 s")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
    return job.stopWithSavepoint(
            false, WORK.resolve("savepoints").toUri().toString(), SavepointFormatType.NATIVE)
        .get();
  }

  /** The source vertex's records out, as the REST API reports them once they reach {@code expected}. */
  private static long sourceRecordsOut(String jobId, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      for (JsonNode vertex : toJackson(cluster.get("/jobs/" + jobId).path("vertices").toString())) {
        if (vertex.path("name").asText().startsWith("Source: bronze_events")) {
          seen = vertex.path("metrics").path("write-records").asLong();
        }
      }
      if (seen >= expected) {
        return seen;
      }
      Thread.sleep(100);
    }
    return seen;
  }

  /** The table's ids as Delta Kernel reads them in this JVM. */
  private static List<String> ids(String table) {
    return DeltaTableReader.readAll(table).stream()
        .map(row -> String.valueOf(row.getField(0)))
        .toList();
  }

  private static JsonNode toJackson(String json) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
  }

  /** From the enumerator's "caught up" log line in the JobManager to the moment REST said so. */
  private static long latencyMillis(String updateId, LocalTime heard) throws Exception {
    for (String line : Files.readAllLines(cluster.logDir().resolve("jobmanager.log"))) {
      Matcher m = CAUGHT_UP_LOG.matcher(line);
      if (m.find() && m.group(2).equals(updateId)) {
        LocalTime logged = LocalTime.parse(m.group(1), DateTimeFormatter.ofPattern("HH:mm:ss,SSS"));
        return Duration.between(logged, heard).toMillis();
      }
    }
    throw new AssertionError("no caught-up line for " + updateId + " in " + cluster.logDir());
  }

  private static void write(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file);
  }

  /** The job's state over REST once it is {@code expected}, or the last state read when {@code timeout} ran out. */
  private static String stateWithin(String jid, String expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = cluster.get("/jobs/" + jid).path("state").asText();
    while (!state.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      state = cluster.get("/jobs/" + jid).path("state").asText();
    }
    return state;
  }
}
