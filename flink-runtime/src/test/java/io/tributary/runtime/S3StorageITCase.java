package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.config.PipelineConfigLoader;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.s3test.S3MockServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.types.Row;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The medallion pipeline and SCD1/SCD2 targets of {@link HdfsStorageITCase} with every path on S3: an
 * S3-compatible server (S3Mock, a separate Java process on 127.0.0.1), reached through S3A with
 * path-style access. Auto Loader reads {@code s3://bucket/events/…} (the seed's form, S3A behind it);
 * tables, schema locations, checkpoints, savepoints, the lock, the update records and the event log
 * are under {@code s3a://bucket/pipelines/medallion}. The pipeline is a {@code pipeline.yml} loaded by
 * the config loader: the endpoint and the keys are only in its {@code hadoop:} block, and Flink's
 * fallback to Hadoop for {@code s3}/{@code s3a} only in its {@code flink:} options, as a user writes
 * them. Two updates give the rows the same two updates give on local disk.
 * {@code -Dtributary.skipStorageTests=true} skips it (CI never sets it).
 */
class S3StorageITCase {

  private static final String SKIP = "tributary.skipStorageTests";

  private static S3MockServer s3;

  @TempDir static Path serverDir;
  @TempDir Path local;

  @BeforeAll
  static void startServer() throws IOException {
    Assumptions.assumeFalse(
        Boolean.getBoolean(SKIP), "storage tests skipped by -D" + SKIP + "=true");
    s3 = S3MockServer.start(serverDir, "bucket");
  }

  @AfterAll
  static void stopServer() {
    if (s3 != null) {
      s3.close();
    }
    FileSystem.initialize(new Configuration(), null);
  }

  private static final List<String> TABLES =
      List.of(
          "bronze_orders",
          "silver_orders",
          "gold_customer_totals",
          "changes",
          "customers",
          "customers_history");

  /** The settings a user puts in the {@code hadoop:} block for an S3-compatible server. */
  private static Map<String, String> s3Settings() {
    return Map.of(
        "fs.s3a.endpoint", s3.endpoint(),
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.access.key", "tributary",
        "fs.s3a.secret.key", "not-a-secret");
  }

  @Test
  void twoUpdatesWithEveryPathOnS3GiveTheRowsOfLocalDisk() throws Exception {
    Path yml = local.resolve("pipeline.yml");
    StringBuilder hadoop = new StringBuilder();
    s3Settings()
        .forEach(
            (key, value) ->
                hadoop.append("  ").append(key).append(": \"").append(value).append("\"\n"));
    Files.writeString(
        yml,
        """
        name: medallion
        storage: s3a://bucket/pipelines/medallion
        libraries:
          - io.tributary.runtime.HdfsStorageITCase$Medallion
        configuration:
          source.orders: s3://bucket/events/orders
          source.changes: s3://bucket/events/changes
        trigger:
          interval: 1 s
        flink:
          parallelism: 2
          options:
            fs.allowed-fallback-filesystems: "s3;s3a"
        hadoop:
        """
            + hadoop);
    PipelineConfig config = PipelineConfigLoader.load(yml);
    HadoopSettings settings = HadoopSettings.of(config.hadoopSettings());
    org.apache.hadoop.conf.Configuration client = settings.toConfiguration();

    write("s3://bucket/events", HdfsStorageITCase.FIRST, client);
    assertCompleted(Tributary.fromConfig(config).run());
    write("s3://bucket/events", HdfsStorageITCase.SECOND, client);
    assertCompleted(Tributary.fromConfig(config).run());

    PipelineStorage storage = PipelineStorage.at(config.storage(), settings);
    assertThat(storage.root()).isEqualTo("s3a://bucket/pipelines/medallion");
    PipelineTables tables = PipelineTables.open(storage);
    Map<String, List<Row>> onS3 = new LinkedHashMap<>();
    for (String table : TABLES) {
      onS3.put(table, tables.table(table).rows());
    }

    Map<String, List<Row>> onLocal = localRun();
    for (String table : TABLES) {
      assertThat(onS3.get(table))
          .as(table)
          .isNotEmpty()
          .containsExactlyInAnyOrderElementsOf(onLocal.get(table));
    }
    assertThat(onS3.get("gold_customer_totals"))
        .containsExactlyInAnyOrder(Row.of("c1", 2L, 15.5), Row.of("c2", 1L, 7.25));
    assertThat(onS3.get("customers"))
        .containsExactlyInAnyOrder(Row.of("c1", "Ann B", 3L), Row.of("c3", "Cid", 5L));

    List<String> savepoints = new ArrayList<>();
    org.apache.hadoop.fs.Path stateDir =
        new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/state");
    for (FileStatus job : stateDir.getFileSystem(client).listStatus(stateDir)) {
      storage.currentSavepoint(job.getPath().getName()).ifPresent(savepoints::add);
    }
    assertThat(savepoints)
        .as("the savepoints each next update restored")
        .isNotEmpty()
        .allSatisfy(
            s -> assertThat(s).startsWith("s3a://bucket/pipelines/medallion/_tributary/state/"));
    assertThat(EventLog.of(storage).events())
        .filteredOn(e -> e.eventType().equals("flow_progress"))
        .anySatisfy(e -> assertThat(e.details()).contains("\"positive_amount\""));
    assertThat(
            exists(
                client,
                storage.root() + "/tables/silver_orders/_delta_log/00000000000000000000.json"))
        .isTrue();
    assertThat(exists(client, storage.root() + "/_tributary/updates/000002.json")).isTrue();
  }

  /**
   * What the pointer files and the lock rely on, on S3 through S3A: a pointer is rewritten with one
   * PUT (no temporary object, no copy), and a create without overwrite is a put-if-absent that S3
   * enforces even when both writers found the object absent.
   */
  @Test
  void pointersAreOnePutAndCreateIfAbsentIsConditionalOnS3() throws Exception {
    HadoopSettings settings = HadoopSettings.of(s3Settings());
    PipelineStorage storage = PipelineStorage.at("s3a://bucket/guarantees", settings);
    org.apache.hadoop.fs.FileSystem fs =
        new org.apache.hadoop.fs.Path(storage.root()).getFileSystem(storage.hadoopConf());
    org.apache.hadoop.fs.Path pointer =
        new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/state/job/CURRENT");

    long copies = copyRequests(fs);
    storage.setCurrentSavepoint("job", "s3a://bucket/guarantees/savepoint-1");
    storage.setCurrentSavepoint("job", "s3a://bucket/guarantees/savepoint-2");
    assertThat(storage.currentSavepoint("job")).contains("s3a://bucket/guarantees/savepoint-2");
    assertThat(copyRequests(fs))
        .as("COPY requests (a rename) made by the two writes")
        .isEqualTo(copies);
    assertThat(fs.listStatus(pointer.getParent()))
        .extracting(st -> st.getPath().getName())
        .containsExactly("CURRENT");

    org.apache.hadoop.fs.Path lock =
        new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/lock");
    assertThat(storage.createIfAbsent(lock, "first")).isTrue();
    assertThat(storage.createIfAbsent(lock, "second")).isFalse();
    assertThat(storage.readText(lock)).contains("first");

    // two writers that both found the object absent (the streams createIfAbsent writes through): S3
    // takes the first PUT and refuses the second
    org.apache.hadoop.fs.Path raced =
        new org.apache.hadoop.fs.Path(storage.root() + "/_tributary/raced");
    org.apache.hadoop.fs.FSDataOutputStream a = PipelineStorage.createNew(fs, raced);
    org.apache.hadoop.fs.FSDataOutputStream b = PipelineStorage.createNew(fs, raced);
    a.write("a".getBytes(StandardCharsets.UTF_8));
    b.write("b".getBytes(StandardCharsets.UTF_8));
    a.close();
    org.assertj.core.api.Assertions.assertThatThrownBy(b::close)
        .isInstanceOf(IOException.class)
        .satisfies(
            e ->
                assertThat(e.toString() + e.getCause())
                    .containsAnyOf(
                        "412", "PreconditionFailed", "Precondition Failed", "FileAlreadyExists"));
    assertThat(storage.readText(raced)).contains("a");
  }

  private static long copyRequests(org.apache.hadoop.fs.FileSystem fs) {
    Long copies =
        ((org.apache.hadoop.fs.statistics.IOStatisticsSource) fs)
            .getIOStatistics()
            .counters()
            .get("object_copy_requests");
    return copies == null ? 0 : copies;
  }

  private Map<String, List<Row>> localRun() throws IOException {
    String input = local.resolve("input").toUri().toString();
    String storage = local.resolve("storage").toString();
    org.apache.hadoop.conf.Configuration conf = HadoopSettings.none().toConfiguration();
    Tributary.Builder pipeline =
        Tributary.pipeline(new HdfsStorageITCase.Medallion())
            .name("medallion")
            .storage(storage)
            .configuration(
                Map.of("source.orders", input + "/orders", "source.changes", input + "/changes"))
            .parallelism(2)
            .triggerInterval(Duration.ofSeconds(1));
    write(input, HdfsStorageITCase.FIRST, conf);
    assertCompleted(pipeline.run());
    write(input, HdfsStorageITCase.SECOND, conf);
    assertCompleted(pipeline.run());
    Map<String, List<Row>> rows = new LinkedHashMap<>();
    PipelineTables tables = PipelineTables.open(storage);
    for (String table : TABLES) {
      rows.put(table, tables.table(table).rows());
    }
    return rows;
  }

  private static boolean exists(org.apache.hadoop.conf.Configuration conf, String path)
      throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    return p.getFileSystem(conf).exists(p);
  }

  private static void assertCompleted(UpdateResult result) {
    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
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
