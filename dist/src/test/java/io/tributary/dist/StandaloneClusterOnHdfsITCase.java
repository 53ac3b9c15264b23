package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.examples.MedallionPipeline;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.types.Row;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The medallion example on a standalone cluster of separate JVMs with everything on HDFS (Hadoop's
 * {@code MiniDFSCluster} in this JVM): input, tables, schema locations, checkpoints, savepoints, lock,
 * update records and event log under {@code hdfs://}. The cluster's classpath is Flink's jars plus
 * Hadoop's shaded client ({@code hadoop-client-api}, {@code hadoop-client-runtime}) and
 * {@code commons-logging}, as {@code HADOOP_CLASSPATH} or {@code lib/} gives them to a distribution, which
 * Flink's fallback to Hadoop needs for checkpoints, savepoints and Auto Loader's listing on {@code hdfs://}.
 * Two updates (new orders in between) give the tables the same two updates give on local disk.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class StandaloneClusterOnHdfsITCase {

  private static final Path WORK = Path.of("target", "cluster", "hdfs").toAbsolutePath();
  private static final List<String> HADOOP_JARS =
      List.of(
          "hadoop-client-api-3.4.2.jar",
          "hadoop-client-runtime-3.4.2.jar",
          "commons-logging-1.3.0.jar");

  private static MiniDFSCluster dfs;
  private static StandaloneFlinkCluster cluster;

  @BeforeAll
  static void startClusters() throws Exception {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.set(
        MiniDFSCluster.HDFS_MINIDFS_BASEDIR, WORK.resolve("dfs-" + System.nanoTime()).toString());
    conf.setInt("dfs.replication", 1);
    conf.setInt("dfs.heartbeat.interval", 1);
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    List<Path> hadoop = hadoopJars();
    assertThat(hadoop).extracting(jar -> jar.getFileName().toString()).isEqualTo(HADOOP_JARS);
    long start = System.nanoTime();
    cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(WORK.resolve("cluster"))
                    .taskManagers(1)
                    .slotsPerTaskManager(2)
                    .extraClasspath(hadoop))
            .start();
    System.out.printf(
        "standalone cluster (Flink's jars + %s) up in %d ms%n",
        HADOOP_JARS, (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopClusters() {
    if (cluster != null) {
      cluster.close();
    }
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  @Test
  void medallionWithEveryPathOnHdfsOnTheClusterEqualsTheLocalRun() throws Exception {
    String root = dfs.getURI() + "/pipelines/medallion";
    org.apache.hadoop.conf.Configuration client = HadoopSettings.none().toConfiguration();
    Map<String, String> hdfsInput =
        Map.of(
            MedallionPipeline.ORDERS_KEY,
            root + "/input/orders",
            MedallionPipeline.CUSTOMERS_KEY,
            root + "/input/customers");
    Path local = WORK.resolve("local-" + System.nanoTime());
    Map<String, String> localInput =
        Map.of(
            MedallionPipeline.ORDERS_KEY,
            local.resolve("input/orders").toString(),
            MedallionPipeline.CUSTOMERS_KEY,
            local.resolve("input/customers").toString());
    String hdfsStorage = root + "/storage";
    Path localStorage = local.resolve("storage");
    Set<String> jobsBefore = new HashSet<>();
    cluster
        .get("/jobs/overview")
        .path("jobs")
        .forEach(job -> jobsBefore.add(job.path("jid").asText()));

    putOnHdfs("medallion/orders/orders-001.json", root + "/input/orders", client);
    putOnHdfs("medallion/customers/customers-001.csv", root + "/input/customers", client);
    DistTestFiles.copy("medallion/orders/orders-001.json", local.resolve("input/orders"));
    DistTestFiles.copy("medallion/customers/customers-001.csv", local.resolve("input/customers"));
    onCluster(hdfsStorage, hdfsInput);
    DistTestFiles.runEmbedded(localInput, localStorage);

    putOnHdfs("medallion/orders/orders-002.json", root + "/input/orders", client);
    DistTestFiles.copy("medallion/orders/orders-002.json", local.resolve("input/orders"));
    onCluster(hdfsStorage, hdfsInput);
    DistTestFiles.runEmbedded(localInput, localStorage);

    List<String> states = new ArrayList<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        states.add(job.path("state").asText());
      }
    }
    assertThat(states)
        .as("the jobs of both updates on the cluster")
        .hasSizeGreaterThanOrEqualTo(4)
        .containsOnly("FINISHED");

    PipelineStorage storage = PipelineStorage.at(hdfsStorage, HadoopSettings.none());
    List<String> tables = DistTestFiles.tableNames(localStorage);
    assertThat(tables).contains("bronze_orders", "silver_orders", "gold_customer_orders");
    for (String table : tables) {
      List<String> onHdfs =
          DeltaTableReader.readAll(storage.tablePath(table), -1, client).stream()
              .map(Row::toString)
              .sorted()
              .toList();
      assertThat(onHdfs)
          .as("table " + table + " on HDFS, written on the cluster")
          .isNotEmpty()
          .isEqualTo(DistTestFiles.rows(localStorage, table));
    }
    // the second update restored the first one's savepoints, on HDFS; the event log is there too
    List<String> savepoints = new ArrayList<>();
    for (FileStatus job :
        dfs.getFileSystem()
            .listStatus(new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/state"))) {
      storage.currentSavepoint(job.getPath().getName()).ifPresent(savepoints::add);
    }
    System.out.printf("savepoints: %s%n", savepoints);
    assertThat(savepoints)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s).startsWith(dfs.getURI().toString()));
    assertThat(EventLog.of(storage).events())
        .filteredOn(e -> e.eventType().equals("flow_progress"))
        .isNotEmpty();
    assertThat(Files.exists(localStorage.resolve("_tributary"))).isTrue();
  }

  private static void onCluster(String storage, Map<String, String> input) {
    long start = System.nanoTime();
    UpdateResult result =
        Tributary.pipeline(new MedallionPipeline())
            .name("medallion")
            .storage(storage)
            .configuration(input)
            .parallelism(1)
            .cluster(cluster.restAddress())
            // one replica on one DataNode, a short first wait for a closed block (400 ms by default
            // per file)
            .hadoopSetting("dfs.replication", "1")
            .hadoopSetting("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "20")
            .run();
    System.out.printf(
        "update %d on the cluster, storage on HDFS: %s in %d ms%n",
        result.number(), result.state(), (System.nanoTime() - start) / 1_000_000);
    assertThat(result.error()).isEmpty();
    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
  }

  private static void putOnHdfs(
      String sample, String folder, org.apache.hadoop.conf.Configuration conf) throws IOException {
    Path from = DistTestFiles.EXAMPLE_DATA.resolve(sample);
    org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(folder + "/" + from.getFileName());
    try (OutputStream out = to.getFileSystem(conf).create(to, false)) {
      Files.copy(from, out);
    }
  }

  /** Hadoop's shaded client and commons-logging from the local Maven repository, as a user downloads them. */
  private static List<Path> hadoopJars() throws URISyntaxException {
    Path api =
        Path.of(
            org.apache.hadoop.conf.Configuration.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    Path runtime =
        api.getParent()
            .getParent()
            .getParent()
            .resolve("hadoop-client-runtime/3.4.2/" + "hadoop-client-runtime-3.4.2.jar");
    Path logging =
        Path.of(
            org.apache.commons.logging.LogFactory.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    return List.of(api, runtime, logging);
  }
}
