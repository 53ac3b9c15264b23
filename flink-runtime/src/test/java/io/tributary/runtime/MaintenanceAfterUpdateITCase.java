package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.standalone.DeltaLog;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.maintenance.TableMaintenance;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipelines.maintenance.afterUpdate=true}: every completed update compacts the tables it wrote
 * (not those with {@code pipelines.autoOptimize.managed=false}) and logs a {@code maintenance_progress}
 * event per table; the rows stay exactly those the flows wrote.
 */
class MaintenanceAfterUpdateITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** bronze (Auto Loader) -> silver (kept out of maintenance) -> gold (materialized). */
  public static final class Events implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("id BIGINT, kind STRING"))
          .tableProperty("delta.deletedFileRetentionDuration", "interval 2 hours");
      p.streamingTable("silver")
          .from("bronze")
          .tableProperty(TableMaintenance.AUTO_OPTIMIZE, "false");
      // recomputed and replaced, as materialized tables were before incremental refresh: compacted
      // after updates
      p.table("gold")
          .sql("SELECT kind, COUNT(*) AS n FROM silver GROUP BY kind")
          .tableProperty(io.tributary.runtime.analysis.RefreshPlanner.INCREMENTAL, "false");
    }
  }

  @Test
  void eachCompletedUpdateCompactsTheTablesItWroteAndLogsIt() throws Exception {
    updateTwice(Map.of(TableMaintenance.AFTER_UPDATE, "true"));
    // each update commits new files to silver, which is kept out of the maintenance
    assertThat(liveFiles("silver")).isGreaterThanOrEqualTo(2);
    assertThat(DeltaTableReader.readAll(table("silver"))).hasSize(40);

    List<Event> maintenance = maintenanceEvents();
    assertThat(maintenance)
        .extracting(e -> e.origin().dataset().orElseThrow())
        .containsExactly("bronze", "gold", "bronze", "gold");
    assertThat(maintenance)
        .allSatisfy(
            e -> {
              assertThat(e.level()).isEqualTo(Event.Level.INFO);
              assertThat(e.message())
                  .startsWith(
                      "Maintenance of table '"
                          + e.origin().dataset().orElseThrow()
                          + "'; compaction: ")
                  .doesNotContain("vacuum:");
              assertThat(e.detailsJson().path("maintenance_progress").path("state").asText())
                  .isEqualTo("COMPLETED");
              assertThat(
                      e.detailsJson()
                          .path("maintenance_progress")
                          .path("compaction")
                          .path("files_after")
                          .asInt())
                  .isEqualTo(1);
            });
  }

  /**
   * {@code pipelines.maintenance.vacuumAfterUpdate=true} as well: each completed update also VACUUMs
   * the tables it wrote with each table's own retention ({@code delta.deletedFileRetentionDuration},
   * 2 hours on bronze), so the files compaction replaced a moment ago stay, and the rows are exact.
   */
  @Test
  void aVacuumAfterEachUpdateUsesTheTablesOwnRetentionAndKeepsYoungerFiles() throws Exception {
    updateTwice(
        Map.of(
            TableMaintenance.AFTER_UPDATE, "true", TableMaintenance.VACUUM_AFTER_UPDATE, "true"));

    List<Event> bronze =
        maintenanceEvents().stream()
            .filter(e -> e.origin().dataset().orElseThrow().equals("bronze"))
            .toList();
    assertThat(bronze).hasSize(2);
    assertThat(bronze)
        .allSatisfy(
            e ->
                assertThat(e.message())
                    .as("vacuumed with bronze's own retention")
                    .contains("; vacuum: ")
                    .contains("(retention 2 h)"));
    try (var files = Files.walk(Path.of(table("bronze")))) {
      assertThat(
              files
                  .filter(f -> f.toString().endsWith(".parquet"))
                  .filter(f -> !f.toString().contains("_delta_log"))
                  .count())
          .as("the files compaction replaced are younger than the retention: kept")
          .isGreaterThan(liveFiles("bronze"));
    }
    assertThat(DeltaTableReader.readAll(table("bronze"))).hasSize(40);
  }

  /** Two updates, each with 20 new rows in a new file, with {@code maintenance} configured. */
  private void updateTwice(Map<String, String> maintenance) throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    for (int update = 1; update <= 2; update++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        lines
            .append("{\"id\":")
            .append(update * 100 + i)
            .append(",\"kind\":\"k")
            .append(i % 2)
            .append("\"}\n");
      }
      Files.writeString(input.resolve("part-" + update + ".json"), lines);
      Map<String, String> configuration = new java.util.HashMap<>(maintenance);
      configuration.put("source", input.toString());

      UpdateResult result =
          Tributary.pipeline(new Events())
              .name("events")
              .storage(dir.resolve("storage").toString())
              .configuration(configuration)
              .parallelism(2)
              .triggerInterval(Duration.ofSeconds(1))
              .cluster(CLUSTER.cluster())
              .run();

      assertThat(result.state()).as(result.error().orElse("")).isEqualTo(UpdateState.COMPLETED);
      assertThat(liveFiles("bronze")).as("bronze after update " + update).isEqualTo(1);
      assertThat(DeltaTableReader.readAll(table("bronze"))).hasSize(20 * update);
      assertThat(DeltaTableReader.readAll(table("gold")))
          .containsExactlyInAnyOrder(Row.of("k0", 10L * update), Row.of("k1", 10L * update));
    }
  }

  private List<Event> maintenanceEvents() {
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    return EventLog.of(storage).events().stream()
        .filter(e -> e.eventType().equals("maintenance_progress"))
        .toList();
  }

  private String table(String name) {
    return dir.resolve("storage/tables/" + name).toString();
  }

  private int liveFiles(String name) {
    return DeltaLog.forTable(new org.apache.hadoop.conf.Configuration(), table(name))
        .update()
        .getAllFiles()
        .size();
  }
}
