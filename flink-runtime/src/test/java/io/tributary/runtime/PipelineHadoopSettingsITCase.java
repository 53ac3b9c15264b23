package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.catalog.TributaryCatalog;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.CountingFileSystem;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's Hadoop settings reach every operator and enumerator: the storage root, an outside
 * Delta table and the tables' lookups are on a file system scheme ({@link CountingFileSystem}) that
 * only the pipeline's settings register. A component that built a bare Hadoop {@code Configuration}
 * would fail with "No FileSystem for scheme", and each use is recorded with the origin of the
 * settings that opened it and the thread that used it.
 *
 * <p>Checkpoints and savepoints go through Flink's {@code FileSystem}, which falls back to Hadoop with
 * the cluster's own Hadoop configuration ({@code flink.hadoop.*} keys of the Flink configuration): the
 * test sets it up as a cluster operator would, with another origin, so the counts tell the two apart.
 */
class PipelineHadoopSettingsITCase {

  private static final RowType USERS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("user_id", DataTypes.STRING()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  private static EmbeddedCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    Configuration flink = new Configuration();
    CountingFileSystem.settings("flink")
        .forEach((key, value) -> flink.setString("flink.hadoop." + key, value));
    FileSystem.initialize(flink, null);
    cluster = EmbeddedCluster.start(2, flink);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
    FileSystem.initialize(new Configuration(), null);
  }

  /** An outside Delta table read as a snapshot and as a stream, Auto Loader input, lookups, expectations. */
  public static final class Mixed implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.table("users").from(DeltaSource.path(p.conf("source.users", "/none")));
      p.streamingTable("users_feed").from(DeltaSource.path(p.conf("source.users", "/none")));
      p.streamingTable("events")
          .from(
              AutoLoader.json(p.conf("source.events", "/none"))
                  .schema("event_id STRING, user_id STRING")
                  .option("rescuedDataColumn", "false"));
      p.streamingTable("enriched")
          .query(ctx -> ctx.leftLookupJoin(ctx.readStream("events"), "users", "user_id"))
          .expectOrDrop("known_user", "name IS NOT NULL");
      p.table("users_per_event")
          .query(ctx -> ctx.leftLookupJoin(ctx.read("events"), "users", "user_id"));
    }
  }

  @Test
  void everyOperatorEnumeratorAndTheEventLogUseThePipelinesSettings() throws Exception {
    UpstreamDeltaTable users = new UpstreamDeltaTable(dir.resolve("users").toString(), USERS);
    users.overwrite(Row.of("u1", "Ann"), Row.of("u2", "Bob"));
    Path events = Files.createDirectories(dir.resolve("events"));
    Files.writeString(
        events.resolve("part-1.json"),
        """
        {"event_id":"e1","user_id":"u1"}
        {"event_id":"e2","user_id":"u2"}
        {"event_id":"e3","user_id":"u9"}
        """);
    String storage = CountingFileSystem.uri(dir.resolve("storage"));
    CountingFileSystem.reset();

    UpdateResult result =
        Tributary.pipeline(new Mixed())
            .name("settings")
            .storage(storage)
            .configuration(
                Map.of(
                    "source.users",
                    CountingFileSystem.uri(dir.resolve("users")),
                    "source.events",
                    dir.resolve("events").toString()))
            .hadoopConfiguration(withSettings(CountingFileSystem.settings("pipeline")))
            .parallelism(2)
            .triggerInterval(Duration.ofSeconds(1))
            .cluster(cluster)
            .run();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("enriched"))
        .containsExactlyInAnyOrder(Row.of("e1", "u1", "Ann"), Row.of("e2", "u2", "Bob"));
    assertThat(rows("users_per_event"))
        .containsExactlyInAnyOrder(
            Row.of("e1", "u1", "Ann"), Row.of("e2", "u2", "Bob"), Row.of("e3", "u9", null));
    assertThat(rows("users_feed"))
        .containsExactlyInAnyOrder(Row.of("u1", "Ann"), Row.of("u2", "Bob"));

    Set<String> threads = CountingFileSystem.threads("pipeline");
    assertThat(threads)
        .as("tasks and enumerators that opened storage with the pipeline's settings")
        .anySatisfy(t -> assertThat(t).contains("Delta writer"))
        .anySatisfy(t -> assertThat(t).contains("Delta committer"))
        .anySatisfy(t -> assertThat(t).contains("flow progress events"))
        .anySatisfy(t -> assertThat(t).contains("SourceCoordinator"))
        .anySatisfy(t -> assertThat(t).contains("LookupJoin"));
    assertThat(CountingFileSystem.threads("unset"))
        .as("instances made without the pipeline's settings")
        .isEmpty();

    PipelineStorage read =
        PipelineStorage.at(storage, HadoopSettings.of(CountingFileSystem.settings("pipeline")));
    assertThat(EventLog.of(read).events())
        .extracting(Event::eventType)
        .contains("flow_progress", "create_update");
    assertThat(EventLog.of(read).events())
        .anySatisfy(
            e ->
                assertThat(e.details())
                    .contains("\"known_user\"")
                    .contains("\"failed_records\":1"));

    // the public readers: the tables API and the catalog take the pipeline's settings too
    PipelineTables tables =
        PipelineTables.open(storage, HadoopSettings.of(CountingFileSystem.settings("tables")));
    assertThat(tables.names()).contains("enriched", "users_per_event", "users_feed");
    assertThat(tables.table("enriched").rows())
        .containsExactlyInAnyOrder(Row.of("e1", "u1", "Ann"), Row.of("e2", "u2", "Bob"));
    assertThat(tables.table("enriched").history()).isNotEmpty();
    assertThat(CountingFileSystem.threads("tables")).isNotEmpty();
    assertThatThrownBy(() -> PipelineTables.open(storage).names())
        .hasMessageContaining("No FileSystem for scheme");

    PipelineStorage forCatalog =
        PipelineStorage.at(storage, HadoopSettings.of(CountingFileSystem.settings("catalog")));
    TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tableEnv.registerCatalog("settings", TributaryCatalog.of("settings", forCatalog));
    tableEnv.useCatalog("settings");
    List<Row> viaSql = new ArrayList<>();
    try (CloseableIterator<Row> it =
        tableEnv.executeSql("SELECT event_id, name FROM enriched").collect()) {
      it.forEachRemaining(viaSql::add);
    }
    assertThat(viaSql).containsExactlyInAnyOrder(Row.of("e1", "Ann"), Row.of("e2", "Bob"));
    assertThat(CountingFileSystem.threads("catalog"))
        .as("the catalog's listing and its table's scan")
        .anySatisfy(t -> assertThat(t).isNotEqualTo(Thread.currentThread().getName()));
  }

  private static org.apache.hadoop.conf.Configuration withSettings(Map<String, String> settings) {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    new TreeMap<>(settings).forEach(conf::set);
    return conf;
  }

  private List<Row> rows(String table) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + table).toString());
  }
}
