package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
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
    cluster = StandaloneFlinkCluster.builder(WORK).taskManagers(1).slotsPerTaskManager(2)
        .taskManagerMemory("2560m")
        .set("taskmanager.memory.jvm-metaspace.size", "1g")
        .set("jobmanager.memory.process.size", "1536m")
        .set("jobmanager.memory.jvm-metaspace.size", "512m")
        .startTimeout(Duration.ofSeconds(180)).start();
    System.out.printf("standalone session cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
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
    Path file = DistTestFiles.medallionFile(WORK.resolve("medallion-" + id + ".yml"), storage.toString(), conf);
    Path examples = DistTestFiles.examplesJar(WORK);
    Set<String> jobsBefore = new HashSet<>();
    cluster.get("/jobs/overview").path("jobs").forEach(job -> jobsBefore.add(job.path("jid").asText()));

    Path output = WORK.resolve("flink-run-" + id + ".out");
    long start = System.nanoTime();
    Process flink = cluster.flinkCommand(List.of("run", "-c", "io.tributary.runtime.cli.TributaryCli",
        "-C", examples.toUri().toString(), DeployableJarTest.jar().toString(), "start", file.toString()), output)
        .start();
    int exit = DistTestFiles.awaitExit(flink, 10, output);
    String printed = Files.readString(output);
    System.out.printf("flink run ended with %d in %d ms; it printed:%n%s%n", exit,
        (System.nanoTime() - start) / 1_000_000, printed);
    assertThat(exit).as("exit code of flink run; output:\n" + printed).isZero();
    assertThat(printed)
        .contains("Running the jobs through Flink's context environment on the Flink cluster at "
            + cluster.restAddress() + ".")
        .contains("Job has been submitted with JobID")
        .contains("Update 1 COMPLETED");

    List<String> states = new ArrayList<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        states.add(job.path("name").asText() + " " + job.path("state").asText());
      }
    }
    System.out.printf("jobs on the cluster: %s%n", states);
    assertThat(states).hasSizeGreaterThanOrEqualTo(2).allSatisfy(state -> assertThat(state).endsWith(" FINISHED"));

    Path embedded = WORK.resolve("embedded-" + id);
    DistTestFiles.runEmbedded(conf, embedded);
    DistTestFiles.assertSameTables(storage, embedded, "written by flink run on the session cluster");
  }
}
