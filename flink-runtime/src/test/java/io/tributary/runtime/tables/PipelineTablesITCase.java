package io.tributary.runtime.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public table-reading API over what two real updates wrote. */
class PipelineTablesITCase {

  @RegisterExtension static final TributaryClusterExtension FLINK = new TributaryClusterExtension();

  /** A streaming table over JSON files and a materialized count of it. */
  public static final class Events implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("events")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("id BIGINT, kind STRING"));
      p.table("kinds").sql("SELECT kind, COUNT(*) AS n FROM events GROUP BY kind");
    }
  }

  @Test
  void readsRowsSchemaVersionsAndHistoryOfAPipelinesTables() throws Exception {
    Path input = FLINK.storage("events");
    String storage = FLINK.storage("storage").toString();
    Tributary.Builder pipeline =
        Tributary.pipeline(new Events())
            .name("tables")
            .storage(storage)
            .cluster(FLINK.cluster())
            .configuration(Map.of("source", input.toString()))
            .parallelism(1);
    Files.writeString(
        input.resolve("part-1.json"), "{\"id\":1,\"kind\":\"a\"}\n{\"id\":2,\"kind\":\"b\"}\n");
    run(pipeline);
    Files.writeString(input.resolve("part-2.json"), "{\"id\":3,\"kind\":\"a\"}\n");
    run(pipeline);

    PipelineTables tables = PipelineTables.open(storage);
    assertThat(tables.names()).containsExactly("events", "kinds");

    TableView events = tables.table("events");
    assertThat(events.schema().getTypeAt(events.columnNames().indexOf("id")).getTypeRoot())
        .isEqualTo(LogicalTypeRoot.BIGINT);
    assertThat(events.rowsAsMaps())
        .extracting(r -> r.get("id"))
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(events.count()).isEqualTo(3);
    long version = events.version();
    assertThat(events.rows(version - 1))
        .extracting(r -> r.getField(events.columnNames().indexOf("id")))
        .containsExactlyInAnyOrder(1L, 2L);

    List<TableCommit> history = events.history();
    assertThat(history).extracting(TableCommit::version).last().isEqualTo(version);
    assertThat(history.get(0).operation()).isEqualTo("CREATE TABLE");
    TableCommit last = history.get(history.size() - 1);
    assertThat(last.operation()).isEqualTo("WRITE");
    assertThat(last.dataChange()).isTrue();
    assertThat(last.filesAdded()).isPositive();
    assertThat(last.transaction())
        .hasValueSatisfying(t -> assertThat(t.appId()).startsWith("tables/events/events/"));

    assertThat(tables.table("kinds").rowsAsMaps())
        .containsExactlyInAnyOrder(Map.of("kind", "a", "n", 2L), Map.of("kind", "b", "n", 1L));
    assertThat(PipelineTables.path(storage + "/tables/kinds").rows())
        .containsExactlyInAnyOrder(Row.of("a", 2L), Row.of("b", 1L));
  }

  @Test
  void aTableNeverWrittenIsAnErrorNamingTheTablesThereAre() {
    String storage = FLINK.storage("empty").toString();
    PipelineTables tables = PipelineTables.open(storage);

    assertThat(tables.names()).isEmpty();
    assertThat(tables.find("gold")).isEmpty();
    assertThatThrownBy(() -> tables.table("gold"))
        .hasMessage(
            "Table 'gold' does not exist under "
                + storage
                + "/tables. Tables there: []. A dataset gets its table when an update first writes it; a view has none.");
  }

  private static void run(Tributary.Builder pipeline) {
    UpdateResult result = pipeline.run();
    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
  }
}
