package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Row;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A medallion pipeline (bronze from Auto Loader, silver with an expectation and deduplication, a gold
 * aggregate) and a change feed applied as SCD type 1 and type 2, with input, tables, schema
 * locations, checkpoints, savepoints, the lock and the event log all on HDFS: Hadoop's mini DFS
 * cluster, started in this JVM. Two updates on HDFS give the rows the same two updates give on
 * local disk. {@code -Dtributary.skipStorageTests=true} skips it (CI never sets it).
 */
class HdfsStorageITCase {

  private static final String SKIP = "tributary.skipStorageTests";

  private static MiniDFSCluster dfs;
  private static EmbeddedCluster cluster;

  @TempDir static Path dfsBase;
  @TempDir Path local;

  @BeforeAll
  static void startClusters() throws IOException {
    Assumptions.assumeFalse(
        Boolean.getBoolean(SKIP), "storage tests skipped by -D" + SKIP + "=true");
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dfsBase.toString());
    conf.setInt("dfs.replication", 1);
    conf.setInt("dfs.heartbeat.interval", 1);
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    cluster = EmbeddedCluster.start(2, new Configuration());
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

  /** The medallion example's shape, and a change feed into SCD1 and SCD2 targets. */
  public static final class Medallion implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(
              AutoLoader.json(p.conf("source.orders", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE")
                  .option("rescuedDataColumn", "false"));
      p.streamingTable("silver_orders")
          .from("bronze_orders")
          .expectOrDrop("positive_amount", "amount > 0")
          .dropDuplicates("order_id");
      p.table("gold_customer_totals")
          .sql(
              """
          SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total
          FROM silver_orders GROUP BY customer_id""");
      p.streamingTable("changes")
          .from(
              AutoLoader.json(p.conf("source.changes", "/none"))
                  .schema("customer_id STRING, name STRING, operation STRING, seq BIGINT")
                  .option("rescuedDataColumn", "false"));
      p.createStreamingTable("customers");
      p.applyChanges("customers")
          .from("changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation");
      p.createStreamingTable("customers_history");
      p.applyChanges("customers_history")
          .from("changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation")
          .storedAsScdType(2);
    }
  }

  private static final List<String> TABLES =
      List.of(
          "bronze_orders",
          "silver_orders",
          "gold_customer_totals",
          "changes",
          "customers",
          "customers_history");

  static final Map<String, String> FIRST =
      Map.of(
          "orders/part-1.json",
              """
          {"order_id":"o1","customer_id":"c1","amount":10.0}
          {"order_id":"o2","customer_id":"c2","amount":-1.0}
          {"order_id":"o3","customer_id":"c1","amount":5.5}
          {"order_id":"o1","customer_id":"c1","amount":10.0}
          """,
          "changes/part-1.json",
              """
          {"customer_id":"c1","name":"Ann","operation":"UPSERT","seq":1}
          {"customer_id":"c2","name":"Bob","operation":"UPSERT","seq":2}
          {"customer_id":"c1","name":"Ann B","operation":"UPSERT","seq":3}
          """);

  static final Map<String, String> SECOND =
      Map.of(
          "orders/part-2.json",
              """
          {"order_id":"o3","customer_id":"c1","amount":5.5}
          {"order_id":"o4","customer_id":"c2","amount":7.25}
          """,
          "changes/part-2.json",
              """
          {"customer_id":"c2","name":null,"operation":"DELETE","seq":4}
          {"customer_id":"c3","name":"Cid","operation":"UPSERT","seq":5}
          """);

  @Test
  void twoUpdatesWithEveryPathOnHdfsGiveTheRowsOfLocalDisk() throws Exception {
    String hdfsRoot = dfs.getURI().toString() + "/pipelines/medallion";
    org.apache.hadoop.conf.Configuration client = HadoopSettings.none().toConfiguration();

    Map<String, List<Row>> onHdfs = twoUpdates(hdfsRoot + "/input", hdfsRoot + "/storage", client);
    Map<String, List<Row>> onLocal =
        twoUpdates(
            local.resolve("input").toUri().toString(), local.resolve("storage").toString(), client);

    for (String table : TABLES) {
      assertThat(onHdfs.get(table))
          .as(table)
          .isNotEmpty()
          .containsExactlyInAnyOrderElementsOf(onLocal.get(table));
    }
    assertThat(onHdfs.get("gold_customer_totals"))
        .containsExactlyInAnyOrder(Row.of("c1", 2L, 15.5), Row.of("c2", 1L, 7.25));
    assertThat(onHdfs.get("customers"))
        .containsExactlyInAnyOrder(Row.of("c1", "Ann B", 3L), Row.of("c3", "Cid", 5L));

    PipelineStorage storage = PipelineStorage.at(hdfsRoot + "/storage", HadoopSettings.none());
    assertThat(storage.root()).startsWith("hdfs://");
    List<String> savepoints = new ArrayList<>();
    org.apache.hadoop.fs.Path stateDir =
        new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/state");
    for (org.apache.hadoop.fs.FileStatus job : dfs.getFileSystem().listStatus(stateDir)) {
      storage.currentSavepoint(job.getPath().getName()).ifPresent(savepoints::add);
    }
    assertThat(savepoints)
        .as("the savepoints each next update restored")
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s).startsWith(dfs.getURI().toString()));
    assertThat(EventLog.of(storage).events())
        .filteredOn(e -> e.eventType().equals("flow_progress"))
        .anySatisfy(e -> assertThat(e.details()).contains("\"positive_amount\""));
    assertThat(
            dfs.getFileSystem()
                .exists(
                    new org.apache.hadoop.fs.Path(
                        hdfsRoot
                            + "/storage/tables/silver_orders"
                            + "/_delta_log/00000000000000000000.json")))
        .isTrue();
  }

  private Map<String, List<Row>> twoUpdates(
      String input, String storage, org.apache.hadoop.conf.Configuration conf) throws IOException {
    write(input, FIRST, conf);
    assertCompleted(update(input, storage));
    write(input, SECOND, conf);
    assertCompleted(update(input, storage));
    Map<String, List<Row>> rows = new LinkedHashMap<>();
    PipelineStorage at = PipelineStorage.at(storage, HadoopSettings.none());
    for (String table : TABLES) {
      rows.put(table, DeltaTableReader.readAll(at.tablePath(table), -1, conf));
    }
    return rows;
  }

  private static void assertCompleted(UpdateResult result) {
    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
  }

  private UpdateResult update(String input, String storage) {
    return Tributary.pipeline(new Medallion())
        .name("medallion")
        .storage(storage)
        .configuration(
            Map.of("source.orders", input + "/orders", "source.changes", input + "/changes"))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(cluster)
        // client settings, given as a pipeline's hadoop: block would give them: one replica on one
        // DataNode, and a short first wait for a closed block (HDFS's default waits 400 ms per
        // file)
        .hadoopSetting("dfs.replication", "1")
        .hadoopSetting("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "20")
        .run();
  }

  private static void write(
      String root, Map<String, String> files, org.apache.hadoop.conf.Configuration conf)
      throws IOException {
    for (Map.Entry<String, String> file : files.entrySet()) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(root + "/" + file.getKey());
      try (OutputStream out = path.getFileSystem(conf).create(path, false)) {
        out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
