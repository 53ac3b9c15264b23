package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Application mode on standalone, as {@code standalone-job.sh start --job-classname
 * io.tributary.runtime.cli.TributaryCli start pipeline.yml} starts it: Flink's
 * {@code StandaloneApplicationClusterEntryPoint} with the deployable jar and the pipeline's jar in its
 * {@code usrlib/}, and one TaskManager, separate JVMs on Flink's jars. The update runs inside the
 * JobManager, its jobs are the application's (Flink's context environment), the tables equal an embedded
 * update's, and the cluster shuts down when the application ends. With high availability the application
 * is refused before any job, with a message citing Flink's limit.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class ApplicationModeITCase {

  private static final Path WORK = Path.of("target", "cluster", "application").toAbsolutePath();
  private static final String MAIN = "io.tributary.runtime.cli.TributaryCli";

  @Test
  void theUpdateRunsInsideTheJobManagerOfAnApplicationCluster() throws Exception {
    String id = UUID.randomUUID().toString();
    Map<String, String> conf = DistTestFiles.medallionInput(WORK.resolve("input-" + id));
    Path storage = WORK.resolve("storage-" + id);
    Path file =
        DistTestFiles.medallionFile(
            WORK.resolve("medallion-" + id + ".yml"), storage.toString(), conf);
    Path examples = DistTestFiles.examplesJar(WORK);
    Path clusterDir = WORK.resolve("cluster-" + id);

    long start = System.nanoTime();
    try (StandaloneFlinkCluster cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(clusterDir)
                    .application(
                        MAIN,
                        List.of("start", file.toString()),
                        List.of(DeployableJarTest.jar(), examples))
                    .taskManagers(1)
                    .slotsPerTaskManager(2))
            .start()) {
      System.out.printf(
          "application cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      Path out = cluster.logDir().resolve("jobmanager.out");
      int exit = DistTestFiles.awaitExit(cluster.jobManagerProcess(), 10, out);
      String printed = Files.readString(out);
      String log = Files.readString(cluster.logDir().resolve("jobmanager.log"));
      System.out.printf(
          "the application cluster's JobManager ended with %d after %d ms; it printed:%n%s%n",
          exit, (System.nanoTime() - start) / 1_000_000, printed);
      assertThat(exit).as("the JobManager's exit code; log in " + cluster.logDir()).isZero();
      assertThat(printed)
          .contains(
              "Running the jobs through Flink's context environment on the application cluster at "
                  + cluster.restAddress()
                  + ".")
          .contains("Update 1 COMPLETED");
      // the jobs were the application's, submitted to its own dispatcher, not to a MiniCluster of
      // Tributary's
      assertThat(log)
          .contains("Submitting Job with JobId=")
          .contains("Application completed SUCCESSFULLY")
          .doesNotContain("Starting Flink Mini Cluster");
    }

    Path embedded = WORK.resolve("embedded-" + id);
    DistTestFiles.runEmbedded(conf, embedded);
    DistTestFiles.assertSameTables(storage, embedded, "written in application mode");
  }

  @Test
  void applicationModeWithHighAvailabilityIsRefusedBeforeAnyJob() throws Exception {
    String id = UUID.randomUUID().toString();
    Map<String, String> conf = DistTestFiles.medallionInput(WORK.resolve("input-" + id));
    Path storage = WORK.resolve("storage-" + id);
    Path file =
        DistTestFiles.medallionFile(
            WORK.resolve("medallion-" + id + ".yml"), storage.toString(), conf);
    Path examples = DistTestFiles.examplesJar(WORK);
    // Flink's FACTORY_CLASS mode counts as HA; its services are in-process (no ZooKeeper here)
    Path ha = WORK.resolve("ha-" + id).resolve("io/tributary/dist/EmbeddedHaServicesFactory.class");
    Files.createDirectories(ha.getParent());
    try (var in =
        EmbeddedHaServicesFactory.class.getResourceAsStream("EmbeddedHaServicesFactory.class")) {
      Files.copy(in, ha);
    }
    Path haJar = DistTestFiles.pack(WORK.resolve("ha-" + id), WORK.resolve("ha-" + id + ".jar"));
    Path clusterDir = WORK.resolve("cluster-ha-" + id);

    try (StandaloneFlinkCluster cluster =
        StandaloneFlinkCluster.builder(clusterDir)
            .application(
                MAIN, List.of("start", file.toString()), List.of(DeployableJarTest.jar(), examples))
            .extraClasspath(List.of(haJar))
            .taskManagers(0)
            .awaitRegistration(false)
            .set("high-availability.type", EmbeddedHaServicesFactory.class.getName())
            .set("high-availability.storageDir", clusterDir.resolve("ha").toUri().toString())
            .start()) {
      Path out = cluster.logDir().resolve("jobmanager.out");
      int exit = DistTestFiles.awaitExit(cluster.jobManagerProcess(), 5, out);
      String printed = Files.readString(out);
      System.out.printf(
          "the HA application's JobManager ended with %d; it printed:%n%s%n", exit, printed);
      assertThat(exit).as("the JobManager's exit code").isNotZero();
      assertThat(printed)
          .contains(
              "Application mode with high availability (high-availability.type: "
                  + EmbeddedHaServicesFactory.class.getName()
                  + ") cannot run a Tributary update: Flink allows an "
                  + "application with high availability at most one streaming job (a second one fails with 'Cannot have "
                  + "more than 1 streaming jobs in a single environment.'), and an update runs one job per group of "
                  + "connected streaming tables and one per materialized table. Run the pipeline on a session cluster "
                  + "instead (flink run -c io.tributary.runtime.cli.TributaryCli tributary-flink.jar start PIPELINE.yml, "
                  + "or tributary start PIPELINE.yml --cluster HOST:PORT), which may have high availability, or turn it "
                  + "off for this application cluster.");
      assertThat(Files.readString(cluster.logDir().resolve("jobmanager.log")))
          .doesNotContain("Submitting Job with JobId=");
    }
    assertThat(storage.resolve("tables")).doesNotExist();
  }
}
