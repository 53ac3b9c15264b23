package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * {@code tributary start --cluster} of a continuous update on a standalone session cluster (separate
 * JVMs) with too few free slots fails at once, naming each streaming job, the slots it needs and the
 * slots the cluster has, instead of leaving a job without slots until Flink's slot request timeout
 * (5 min). The medallion example at parallelism 1 runs three streaming jobs at once (bronze and silver
 * of orders, of customers, and gold's incremental job): on one TaskManager of two slots it fails; with
 * a second TaskManager (four slots) it runs, and a second pipeline's continuous update then finds one
 * slot free, the other three held by the first update's jobs, and fails saying so. A triggered update
 * whose streaming jobs are wider than all the cluster's slots fails at once too.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class ContinuousSlotsITCase {

  private static final Path WORK = Path.of("target", "cluster", "slots").toAbsolutePath();

  /** Far below Flink's slot request timeout (5 min), above a cold client JVM's start on a busy machine. */
  private static final Duration FAST = Duration.ofSeconds(90);

  private static StandaloneFlinkCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(WORK).taskManagers(1).slotsPerTaskManager(2))
            .start();
    System.out.printf("standalone cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void tooFewFreeSlotsFailTheUpdateAtOnceAndEnoughRunIt() throws Exception {
    Path first = pipelineFile("first");

    // one TaskManager, two slots: the three streaming jobs do not fit
    long start = System.nanoTime();
    ClusterCli tooFew =
        ClusterCli.start(WORK, "start", first.toString(), "--cluster", cluster.restAddress());
    int code = tooFew.await(FAST);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String printed = tooFew.printed();
    System.out.printf("on 2 slots the update ended in %d ms:%n%s%n", took.toMillis(), printed);
    assertThat(code).as("exit code; it printed:\n" + printed).isEqualTo(1);
    assertThat(oneLine(printed))
        .contains(
            "Continuous update of pipeline 'medallion' needs 3 task slots at once, but the Flink"
                + " cluster at "
                + cluster.restAddress()
                + " has 2 free: its streaming jobs run side by side until stopped, each with a"
                + " slot per parallel task: 'stream_bronze_orders' (parallelism 1),"
                + " 'stream_bronze_customers' (parallelism 1), 'table_gold_customer_orders'"
                + " (parallelism 1). A job without slots would wait for them and fail only after"
                + " Flink's slot request timeout (slot.request.timeout, 5 min by default), so no job"
                + " was started. Give the cluster 1 more free slot (more TaskManagers, or a larger"
                + " taskmanager.numberOfTaskSlots), or lower the pipeline's `flink: parallelism:`.");
    assertThat(cluster.get("/jobs/overview").path("jobs")).as("jobs on the cluster").isEmpty();

    // a second TaskManager: four slots, the update runs every streaming job
    cluster.startTaskManager();
    cluster.awaitTaskManagers(2, Duration.ofSeconds(120));
    ClusterCli enough =
        ClusterCli.start(WORK, "start", first.toString(), "--cluster", cluster.restAddress());
    List<String> running = awaitTasksRunning(enough, 3, Duration.ofMinutes(4));
    System.out.printf("on 4 slots the update runs jobs %s%n", running);

    // the first update's jobs hold three of the four slots: a second pipeline's update fails
    Path second = pipelineFile("second");
    ClusterCli crowded =
        ClusterCli.start(WORK, "start", second.toString(), "--cluster", cluster.restAddress());
    int crowdedCode = crowded.await(FAST);
    String crowdedPrinted = crowded.printed();
    System.out.printf("beside it, a second update printed:%n%s%n", crowdedPrinted);
    assertThat(crowdedCode).as("exit code; it printed:\n" + crowdedPrinted).isEqualTo(1);
    assertThat(oneLine(crowdedPrinted))
        .contains(
            "needs 3 task slots at once, but the Flink cluster at "
                + cluster.restAddress()
                + " has 1 free (4 in all; the cluster's other running jobs hold 3)")
        .contains(
            "Give the cluster 2 more free slots (more TaskManagers, or a larger"
                + " taskmanager.numberOfTaskSlots, or stop its other jobs), or lower the pipeline's"
                + " `flink: parallelism:`.");
    assertThat(enough.isAlive())
        .as("the first update runs on; it printed:\n" + enough.printed())
        .isTrue();

    ClusterCli stop = ClusterCli.start(WORK, "stop", first.toString());
    assertThat(stop.await(Duration.ofMinutes(3))).as("tributary stop").isZero();
    int enoughCode = enough.await(Duration.ofMinutes(3));
    assertThat(enoughCode).as("the first update; it printed:\n" + enough.printed()).isZero();
    assertThat(enough.printed()).contains("STOPPED");
  }

  @Test
  void aTriggeredUpdateWiderThanTheWholeClusterFailsAtOnce() throws Exception {
    int total = cluster.get("/overview").path("slots-total").asInt();
    int parallelism = 5; // wider than the 2 or 4 slots the cluster has, whichever test runs first
    Path file = pipelineFile("wide");
    Files.writeString(
        file,
        Files.readString(file)
            .replace("parallelism: 1", "parallelism: " + parallelism)
            .replace("continuous: true\n", ""));

    long start = System.nanoTime();
    ClusterCli wide =
        ClusterCli.start(WORK, "start", file.toString(), "--cluster", cluster.restAddress());
    int code = wide.await(FAST);
    String printed = wide.printed();
    System.out.printf(
        "a triggered update at parallelism %d on %d slots ended in %d ms:%n%s%n",
        parallelism, total, (System.nanoTime() - start) / 1_000_000, printed);
    assertThat(code).as("exit code; it printed:\n" + printed).isEqualTo(1);
    assertThat(oneLine(printed))
        .contains(
            "The streaming jobs 'stream_bronze_orders', 'stream_bronze_customers',"
                + " 'table_gold_customer_orders' of pipeline 'medallion' need 5 task slots at once"
                + " (a slot per parallel task, parallelism 5), but the Flink cluster at "
                + cluster.restAddress()
                + " has "
                + total
                + " in all. Such a job would wait for slots that never come and fail only after"
                + " Flink's slot request timeout (slot.request.timeout, 5 min by default), so no job"
                + " was started. Give the cluster "
                + (parallelism - total)
                + " more slot");
  }

  /** The medallion example, continuous at parallelism 1, on fresh input and storage. */
  private static Path pipelineFile(String name) throws Exception {
    Path file =
        DistTestFiles.medallionFile(
            WORK.resolve(name + "-" + UUID.randomUUID() + ".yml"),
            WORK.resolve("storage-" + name + "-" + UUID.randomUUID()).toString(),
            DistTestFiles.medallionInput(WORK.resolve("input-" + name + "-" + UUID.randomUUID())));
    Files.writeString(
        file, Files.readString(file) + "continuous: true\ntrigger:\n  interval: 2 s\n");
    return file;
  }

  /** The client's output as one line: it wraps long messages. */
  private static String oneLine(String printed) {
    return printed.replaceAll("\\s*\\n\\s*", " ");
  }

  /** Waits until {@code count} jobs run on the cluster with every task RUNNING (each has its slots). */
  private static List<String> awaitTasksRunning(ClusterCli cli, int count, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertThat(cli.isAlive())
          .as("the continuous update runs; it printed:\n" + cli.printed())
          .isTrue();
      List<String> running = new ArrayList<>();
      for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
        if (job.path("state").asText().equals("RUNNING")
            && allTasksRunning(cluster.get("/jobs/" + job.path("jid").asText()))) {
          running.add(job.path("name").asText());
        }
      }
      if (running.size() >= count) {
        return running;
      }
      assertThat(System.nanoTime())
          .as(
              count
                  + " jobs with every task RUNNING within "
                  + timeout
                  + ", saw "
                  + running
                  + "; the client printed:\n"
                  + cli.printed())
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static boolean allTasksRunning(JsonNode job) {
    if (job.path("vertices").isEmpty()) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }
}
