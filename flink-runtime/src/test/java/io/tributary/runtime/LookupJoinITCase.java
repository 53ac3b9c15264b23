package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta Live Tables' stream-static join over triggered updates, as Flink lookup joins: each new event
 * meets the dimension's version of the update that processes it, rows written before keep the
 * version they met, an inner join drops an event without a match and a left join keeps it with NULLs,
 * in the DSL ({@code ctx.lookupJoin}, with an expectation on the joined rows) and in SQL
 * ({@code FOR SYSTEM_TIME AS OF}) alike. A materialized
 * table that looks the dimension up is recomputed with its latest version. Tables are read back with
 * Delta Kernel.
 */
class LookupJoinITCase {

  private static final RowType USERS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("user_id", DataTypes.STRING()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** Events enriched with the users table (a table of the pipeline, read from an outside Delta table). */
  public static final class Mixed implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.table("users").from(DeltaSource.path(p.conf("source.users", "/none")));
      p.streamingTable("events")
          .from(
              AutoLoader.json(p.conf("source.events", "/none"))
                  .schema("event_id STRING, user_id STRING")
                  .option("rescuedDataColumn", "false"));
      p.streamingTable("enriched_dsl")
          .query(ctx -> ctx.leftLookupJoin(ctx.readStream("events"), "users", "user_id"))
          .expect("known_user", "name IS NOT NULL");
      p.streamingTable("matched_dsl")
          .query(ctx -> ctx.lookupJoin(ctx.readStream("events"), "users", "user_id"));
      p.streamingTable("enriched_sql")
          .sql(
              """
          SELECT e.event_id, e.user_id, u.name
          FROM (SELECT *, PROCTIME() AS proc_time FROM STREAM(events)) e
          LEFT JOIN users FOR SYSTEM_TIME AS OF e.proc_time AS u ON e.user_id = u.user_id""");
      p.table("enriched_batch")
          .query(ctx -> ctx.leftLookupJoin(ctx.read("events"), "users", "user_id"));
    }
  }

  @Test
  void newEventsMeetTheDimensionsLatestVersionAndEarlierRowsKeepTheirs() throws Exception {
    UpstreamDeltaTable users = new UpstreamDeltaTable(dir.resolve("users").toString(), USERS);
    users.overwrite(Row.of("u1", "Ann v1"), Row.of("u2", "Bob v1"));
    Path events = Files.createDirectories(dir.resolve("events"));
    Files.writeString(
        events.resolve("part-1.json"),
        """
        {"event_id":"e1","user_id":"u1"}
        {"event_id":"e2","user_id":"u2"}
        {"event_id":"e3","user_id":"u9"}
        """);

    UpdateResult first = update();

    assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);
    List<Row> firstRows =
        List.of(
            Row.of("e1", "u1", "Ann v1"), Row.of("e2", "u2", "Bob v1"), Row.of("e3", "u9", null));
    assertThat(rows("enriched_dsl")).containsExactlyInAnyOrderElementsOf(firstRows);
    assertThat(rows("enriched_sql")).containsExactlyInAnyOrderElementsOf(firstRows);
    assertThat(rows("enriched_batch")).containsExactlyInAnyOrderElementsOf(firstRows);
    assertThat(rows("matched_dsl"))
        .containsExactlyInAnyOrder(Row.of("e1", "u1", "Ann v1"), Row.of("e2", "u2", "Bob v1"));
    assertThat(inputsOf("enriched_dsl", first)).containsExactlyInAnyOrder("events", "users");

    users.overwrite(Row.of("u1", "Ann v2"), Row.of("u2", "Bob v2"), Row.of("u9", "Zed v2"));
    Files.writeString(
        events.resolve("part-2.json"),
        """
        {"event_id":"e4","user_id":"u1"}
        {"event_id":"e5","user_id":"u9"}
        {"event_id":"e6","user_id":"u7"}
        """);

    UpdateResult second = update();

    assertThat(second.state()).as("%s", second.error()).isEqualTo(UpdateState.COMPLETED);
    List<Row> secondRows = new ArrayList<>(firstRows);
    secondRows.addAll(
        List.of(
            Row.of("e4", "u1", "Ann v2"), Row.of("e5", "u9", "Zed v2"), Row.of("e6", "u7", null)));
    assertThat(rows("enriched_dsl"))
        .as("new events meet v2, earlier rows are not revised")
        .containsExactlyInAnyOrderElementsOf(secondRows);
    assertThat(rows("enriched_sql")).containsExactlyInAnyOrderElementsOf(secondRows);
    assertThat(rows("matched_dsl"))
        .containsExactlyInAnyOrder(
            Row.of("e1", "u1", "Ann v1"),
            Row.of("e2", "u2", "Bob v1"),
            Row.of("e4", "u1", "Ann v2"),
            Row.of("e5", "u9", "Zed v2"));
    assertThat(rows("enriched_batch"))
        .as("a materialized table is recomputed with the latest version")
        .containsExactlyInAnyOrder(
            Row.of("e1", "u1", "Ann v2"),
            Row.of("e2", "u2", "Bob v2"),
            Row.of("e3", "u9", "Zed v2"),
            Row.of("e4", "u1", "Ann v2"),
            Row.of("e5", "u9", "Zed v2"),
            Row.of("e6", "u7", null));
  }

  private UpdateResult update() {
    return Tributary.pipeline(new Mixed())
        .name("mixed")
        .storage(dir.resolve("storage").toString())
        .configuration(
            Map.of(
                "source.users",
                dir.resolve("users").toString(),
                "source.events",
                dir.resolve("events").toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(CLUSTER.cluster())
        .run();
  }

  private List<Row> rows(String table) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + table).toString());
  }

  /** The input datasets of {@code dataset}'s flow_definition event in the update: its lineage. */
  private List<String> inputsOf(String dataset, UpdateResult update) throws Exception {
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    for (Event event : EventLog.of(storage).events()) {
      if (event.origin().updateId().equals(update.updateId())
          && event.eventType().equals("flow_definition")
          && event.origin().dataset().orElse("").equals(dataset)) {
        List<String> inputs = new ArrayList<>();
        new ObjectMapper()
            .readTree(event.details())
            .path("flow_definition")
            .path("input_datasets")
            .forEach(n -> inputs.add(n.asText()));
        return inputs;
      }
    }
    throw new AssertionError("no flow_definition event of " + dataset);
  }
}
