package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.examples.MedallionPipeline;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * A {@code tributary start --cluster} client killed with {@code kill -9} while its update's streaming
 * jobs run: the jobs run on, on the cluster. The next {@code tributary start} (same pipeline, same
 * storage) finds them in the killed update's record, stops each with a savepoint, says so, continues
 * from there, and the tables equal an embedded run's row for row (nothing lost, nothing twice).
 *
 * <p>The killed update is a continuous one (its streaming jobs run until stopped, so the kill lands
 * while they run whatever the machine's speed); the next start is a triggered update of the same
 * pipeline and storage. One TaskManager with four slots at parallelism 1: the two silver tables'
 * streaming jobs and gold's (an incremental materialized table, launched once both silver tables
 * exist).
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class KilledClusterClientITCase {

  private static final Path WORK = Path.of("target", "cluster", "killed-client").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static StandaloneFlinkCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(WORK).taskManagers(1).slotsPerTaskManager(4))
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
  void theNextStartStopsTheJobsAKilledClientLeftRunningAndContinuesExactlyOnce() throws Exception {
    Path input = WORK.resolve("input-" + UUID.randomUUID());
    RemoteClusterITCase.copy("medallion/orders/orders-001.json", input.resolve("orders"));
    RemoteClusterITCase.copy("medallion/customers/customers-001.csv", input.resolve("customers"));
    Path storage = WORK.resolve("storage-" + UUID.randomUUID());
    // a short lease, so the next start may take the killed client's lock over seconds after the
    // kill
    String common =
        "name: medallion\nstorage: "
            + storage
            + "\nlibraries:\n"
            + "  - io.tributary.examples.MedallionPipeline\nconfiguration:\n"
            + "  source.orders: "
            + input.resolve("orders")
            + "\n"
            + "  source.customers: "
            + input.resolve("customers")
            + "\n"
            + "  pipelines.lock.heartbeatInterval: 1 s\n  pipelines.lock.leaseDuration: 5 s\n"
            + "flink:\n  parallelism: 1\n";
    Path continuous = WORK.resolve("continuous-" + UUID.randomUUID() + ".yml");
    Files.writeString(continuous, common + "continuous: true\ntrigger:\n  interval: 2 s\n");
    Path triggered = WORK.resolve("triggered-" + UUID.randomUUID() + ".yml");
    Files.writeString(triggered, common);

    ClusterCli first =
        ClusterCli.start(WORK, "start", continuous.toString(), "--cluster", cluster.restAddress());
    Path record = storage.resolve("_tributary/updates/000001.json");
    // its streaming jobs run on the cluster and have committed rows to both silver tables
    List<String> streaming =
        awaitStreamingJobsCommitted(first, record, storage, Duration.ofMinutes(5));
    long killedAt = System.nanoTime();
    first.kill9();
    System.out.printf(
        "killed tributary (pid %d) while its jobs %s ran; it printed:%n%s%n",
        first.pid(), streaming, first.printed());

    for (String jid : streaming) {
      assertThat(state(jid)).as("job " + jid + " after its client's kill -9").isEqualTo("RUNNING");
    }
    // more input meanwhile: the jobs left running take it in, or the next update does, but once
    RemoteClusterITCase.copy("medallion/orders/orders-002.json", input.resolve("orders"));
    // the lock's lease (5 s) runs from the killed client's last heartbeat, before the kill
    Thread.sleep(
        Math.max(0, Duration.ofSeconds(6).toMillis() - (System.nanoTime() - killedAt) / 1_000_000));

    long start = System.nanoTime();
    ClusterCli second =
        ClusterCli.start(WORK, "start", triggered.toString(), "--cluster", cluster.restAddress());
    int code = second.await(Duration.ofMinutes(10));
    String printed = second.printed();
    System.out.printf(
        "the next start took %d ms and printed:%n%s%n",
        (System.nanoTime() - start) / 1_000_000, printed);
    assertThat(code).as("exit code; output:\n" + printed).isZero();
    JsonNode closed = JSON.readTree(Files.readString(record));
    assertThat(closed.path("state").asText()).isEqualTo("FAILED");
    assertThat(closed.path("ended_without_closing").asBoolean()).isTrue();
    assertThat(closed.path("cluster").asText()).isEqualTo(cluster.restAddress());
    assertThat(printed)
        .contains("Update 1 ended without closing")
        .contains("It submitted ")
        .contains(
            " to the Flink cluster at "
                + cluster.restAddress()
                + ", which run on without it: those still"
                + " running are stopped (a streaming job with a savepoint) before this update starts.")
        .contains("Update 2 COMPLETED");
    List<Event> events =
        EventLog.of(PipelineStorage.at(storage.toString(), HadoopSettings.none()))
            .events("update_progress");
    for (JsonNode job : closed.path("jobs")) {
      if (!streaming.contains(job.path("job_id").asText())) {
        continue;
      }
      String jid = job.path("job_id").asText();
      String notice =
          "Update 1 left its streaming job '"
              + job.path("job").asText()
              + "' (Flink job "
              + jid
              + ") on the Flink cluster at "
              + cluster.restAddress()
              + " running: stopped it with a savepoint ("
              + job.path("savepoint").asText()
              + "), from which update 2 continues.";
      assertThat(job.path("stopped").asText())
          .as("how update 2 stopped " + jid)
          .isEqualTo("SAVEPOINT");
      assertThat(job.path("stopped_by_update").asLong()).isEqualTo(2);
      assertThat(job.path("savepoint").asText())
          .contains(
              storage
                  .resolve("_tributary/state/" + job.path("job").asText() + "/savepoints")
                  .toString());
      assertThat(printed).contains(notice);
      assertThat(events)
          .as("the event log's update_progress events")
          .anySatisfy(
              e -> {
                assertThat(e.message()).isEqualTo(notice);
                assertThat(e.level()).isEqualTo(Event.Level.WARN);
                assertThat(e.details())
                    .contains("\"job_left_running\"")
                    .contains("\"stopped\":\"SAVEPOINT\"");
              });
      assertThat(state(jid))
          .as("job " + jid + " once the next start stopped it")
          .isEqualTo("FINISHED");
    }

    // gold's state came back with the savepoint its job was stopped with: update 2 continued it
    List<String> goldPlanning = new ArrayList<>();
    for (Event e :
        EventLog.of(PipelineStorage.at(storage.toString(), HadoopSettings.none()))
            .events("planning_information")) {
      if (e.origin().dataset().orElse("").equals("gold_customer_orders")
          && !e.origin().updateId().equals(closed.path("update_id").asText())) {
        com.fasterxml.jackson.databind.JsonNode info = e.detailsJson().path("planning_information");
        goldPlanning.add(info.path("technique").asText() + ": " + info.path("reason").asText());
      }
    }
    assertThat(goldPlanning)
        .as("gold's planning_information in update 2")
        .singleElement()
        .asString()
        .startsWith("INCREMENTAL");

    // the same input on an embedded cluster, in one update: every table equal, row for row
    Path embedded = WORK.resolve("embedded-" + UUID.randomUUID());
    RemoteClusterITCase.runEmbedded(
        "medallion",
        new MedallionPipeline(),
        Map.of(
            MedallionPipeline.ORDERS_KEY, input.resolve("orders").toString(),
            MedallionPipeline.CUSTOMERS_KEY, input.resolve("customers").toString()),
        embedded);
    List<String> tables = RemoteClusterITCase.tableNames(embedded);
    assertThat(RemoteClusterITCase.tableNames(storage)).isEqualTo(tables);
    for (String table : tables) {
      List<String> rows = RemoteClusterITCase.rows(storage, table);
      assertThat(rows)
          .as("table " + table + " after the kill and the next start vs embedded")
          .isNotEmpty()
          .isEqualTo(RemoteClusterITCase.rows(embedded, table));
      if (table.startsWith("silver_") || table.startsWith("gold_")) {
        assertThat(rows).as(table + " (keyed by its dedup key or grouped)").doesNotHaveDuplicates();
      }
    }
  }

  /**
   * Waits until the record of update 1 names its three streaming jobs (the silver tables' and gold's),
   * RUNNING on the cluster, and the silver and gold tables have rows; returns the running jobs' ids.
   */
  private static List<String> awaitStreamingJobsCommitted(
      ClusterCli cli, Path record, Path storage, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertThat(cli.isAlive())
          .as("the continuous update runs; it printed:\n" + cli.printed())
          .isTrue();
      List<String> running = new ArrayList<>();
      if (Files.exists(record)) {
        for (JsonNode job : JSON.readTree(Files.readString(record)).path("jobs")) {
          if (job.path("mode").asText().equals("STREAMING")
              && state(job.path("job_id").asText()).equals("RUNNING")) {
            running.add(job.path("job_id").asText());
          }
        }
      }
      // the two silver jobs, and gold's incremental job, which joins them once both silver tables
      // exist and has committed its first rows
      if (running.size() >= 3
          && hasRows(storage, "silver_orders")
          && hasRows(storage, "silver_customers")
          && hasRows(storage, "gold_customer_orders")) {
        return running;
      }
      assertThat(System.nanoTime())
          .as(
              "the silver tables' streaming jobs RUNNING and rows in both silver tables within "
                  + timeout
                  + "; the client printed:\n"
                  + cli.printed())
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static boolean hasRows(Path storage, String table) {
    if (!Files.isDirectory(storage.resolve("tables").resolve(table).resolve("_delta_log"))) {
      return false;
    }
    try {
      return !RemoteClusterITCase.rows(storage, table).isEmpty();
    } catch (RuntimeException notYetReadable) {
      return false;
    }
  }

  private static String state(String jid) throws Exception {
    try {
      return cluster.get("/jobs/" + jid).path("state").asText();
    } catch (java.io.IOException unknownYet) {
      return "UNKNOWN";
    }
  }
}
