package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * {@code flink run -c io.tributary.runtime.cli.TributaryCli -C file:<pipeline jar> tributary-flink.jar start
 * medallion.yml} the way {@code bin/flink} runs it: Flink's {@code CliFrontend} in a JVM of its own on Flink's
 * jars, {@code FLINK_CONF_DIR} naming a standalone session cluster of separate JVMs (Flink's jars only). The
 * deployable jar's main runs the update in that client; its jobs go through Flink's context environment to
 * the cluster, which lists them FINISHED; the tables equal an embedded update's.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class FlinkRunITCase {

  private static final Path WORK = Path.of("target", "cluster", "flink-run").toAbsolutePath();

  private static StandaloneFlinkCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(WORK).taskManagers(1).slotsPerTaskManager(2))
            .start();
    System.out.printf(
        "standalone session cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void flinkRunStartsAnUpdateWhoseJobsRunOnTheSessionCluster() throws Exception {
    String id = UUID.randomUUID().toString();
    Map<String, String> conf = DistTestFiles.medallionInput(WORK.resolve("input-" + id));
    Path storage = WORK.resolve("storage-" + id);
    Path file =
        DistTestFiles.medallionFile(
            WORK.resolve("medallion-" + id + ".yml"), storage.toString(), conf);
    Path examples = DistTestFiles.examplesJar(WORK);
    Set<String> jobsBefore = new HashSet<>();
    cluster
        .get("/jobs/overview")
        .path("jobs")
        .forEach(job -> jobsBefore.add(job.path("jid").asText()));

    Path output = WORK.resolve("flink-run-" + id + ".out");
    long start = System.nanoTime();
    Process flink =
        cluster
            .flinkCommand(
                List.of(
                    "run",
                    "-c",
                    "io.tributary.runtime.cli.TributaryCli",
                    "-C",
                    examples.toUri().toString(),
                    DeployableJarTest.jar().toString(),
                    "start",
                    file.toString()),
                output)
            .start();
    int exit = DistTestFiles.awaitExit(flink, 10, output);
    String printed = Files.readString(output);
    System.out.printf(
        "flink run ended with %d in %d ms; it printed:%n%s%n",
        exit, (System.nanoTime() - start) / 1_000_000, printed);
    assertThat(exit).as("exit code of flink run; output:\n" + printed).isZero();
    assertThat(printed)
        .contains(
            "Running the jobs through Flink's context environment on the Flink cluster at "
                + cluster.restAddress()
                + ".")
        .contains("Job has been submitted with JobID")
        .contains("Update 1 COMPLETED");

    List<String> states = new ArrayList<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        states.add(job.path("name").asText() + " " + job.path("state").asText());
      }
    }
    System.out.printf("jobs on the cluster: %s%n", states);
    assertThat(states)
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(state -> assertThat(state).endsWith(" FINISHED"));
    // the two bronze jobs read nothing of each other: with the session cluster's two slots free
    // (parallelism 1), the context environment ran them side by side
    Map<String, long[]> spans = new java.util.TreeMap<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        spans.put(
            job.path("name").asText(),
            new long[] {job.path("start-time").asLong(), job.path("end-time").asLong()});
      }
    }
    long[] orders = spans.get("medallion: stream_bronze_orders");
    long[] customers = spans.get("medallion: stream_bronze_customers");
    assertThat(orders).as("the bronze_orders job among " + spans.keySet()).isNotNull();
    assertThat(customers).as("the bronze_customers job among " + spans.keySet()).isNotNull();
    assertThat(orders[0] < customers[1] && customers[0] < orders[1])
        .as(
            "bronze_orders (%d-%d) and bronze_customers (%d-%d) ran at the same time",
            orders[0], orders[1], customers[0], customers[1])
        .isTrue();

    Path embedded = WORK.resolve("embedded-" + id);
    DistTestFiles.runEmbedded(conf, embedded);
    DistTestFiles.assertSameTables(
        storage, embedded, "written by flink run on the session cluster");
  }

  /**
   * The REST API's jar run (what the web UI's "Submit New Job" and the Kubernetes operator's FlinkSessionJob
   * use) runs the main inside the JobManager with one job at most and a job client that cannot stop a job
   * with a savepoint: the update is refused before any job, naming the ways that work.
   */
  @Test
  void aJarRunThroughTheRestApiIsRefusedBeforeAnyJob() throws Exception {
    String id = UUID.randomUUID().toString();
    Map<String, String> conf = DistTestFiles.medallionInput(WORK.resolve("input-" + id));
    Path storage = WORK.resolve("storage-" + id);
    Path file =
        DistTestFiles.medallionFile(
            WORK.resolve("medallion-" + id + ".yml"), storage.toString(), conf);
    int jobsBefore = cluster.get("/jobs/overview").path("jobs").size();
    HttpClient http = HttpClient.newHttpClient();
    String boundary = "tributary-" + id;
    Path jar = DeployableJarTest.jar();
    HttpRequest upload =
        HttpRequest.newBuilder(cluster.restUri().resolve("/jars/upload"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(
                HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(
                        "--"
                            + boundary
                            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; "
                            + "filename=\"tributary-flink.jar\"\r\nContent-Type: application/x-java-archive\r\n\r\n"),
                    HttpRequest.BodyPublishers.ofFile(jar),
                    HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
            .build();
    HttpResponse<String> uploaded = http.send(upload, HttpResponse.BodyHandlers.ofString());
    assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
    String jarId =
        Path.of(new ObjectMapper().readTree(uploaded.body()).path("filename").asText())
            .getFileName()
            .toString();

    ObjectNode body =
        new ObjectMapper()
            .createObjectNode()
            .put("entryClass", "io.tributary.runtime.cli.TributaryCli");
    body.putArray("programArgsList").add("start").add(file.toString());
    HttpResponse<String> run =
        http.send(
            HttpRequest.newBuilder(cluster.restUri().resolve("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    System.out.printf("jar run answered %d%n", run.statusCode());
    assertThat(run.statusCode()).as(run.body()).isNotEqualTo(200);
    assertThat(run.body()).contains("tributary ended with exit code 2");
    assertThat(Files.readString(cluster.logDir().resolve("jobmanager.out")))
        .contains(
            "Flink runs this program with "
                + "one job at most and a job client that can neither stop a job with a savepoint nor read its result: a "
                + "submission through the REST API's jar run (the web UI's 'Submit New Job', the Kubernetes operator's "
                + "FlinkSessionJob) runs it so. An update runs several jobs and stops each with a savepoint. Start it with "
                + "flink run -c io.tributary.runtime.cli.TributaryCli tributary-flink.jar start PIPELINE.yml, with tributary "
                + "start PIPELINE.yml --cluster HOST:PORT, or as an application (application mode).");
    assertThat(cluster.get("/jobs/overview").path("jobs").size())
        .as("jobs on the cluster")
        .isEqualTo(jobsBefore);
    assertThat(storage.resolve("tables")).doesNotExist();
  }
}
