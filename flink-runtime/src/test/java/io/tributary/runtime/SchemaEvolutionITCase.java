package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evolve bronze, then restore the downstream state: a file with a new column makes the Auto Loader
 * source store the evolved schema and stop its flow; production mode restarts the flow within the
 * update with the evolved schema, development mode fails it with a message naming the columns and
 * the next update continues. Either way the tables gain the column (NULL for old rows), no row is
 * lost or doubled, and the deduplication state kept before the evolution still drops an old key.
 */
class SchemaEvolutionITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /**
   * bronze (inferred JSON, addNewColumns by default) → silver (dropDuplicates) and gold (a snapshot),
   * and an SCD type 1 target applying bronze's changes by id in seq order.
   */
  public static final class Customers implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(AutoLoader.json(p.conf("source", "/none")).option("inferColumnTypes", "true"));
      p.streamingTable("silver").from("bronze").dropDuplicates("id");
      p.table("gold").sql("SELECT * FROM silver");
      p.createStreamingTable("customers");
      p.applyChanges("customers").from("bronze").keys("id").sequenceBy("seq");
    }
  }

  private Path firstUpdateInput() throws Exception {
    Path input = Files.createDirectories(dir.resolve("customers"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"id":"c1","seq":1,"name":"Ann"}
        {"id":"c2","seq":1,"name":"Bob"}
        """);
    return input;
  }

  private static void addFileWithNewColumn(Path input) throws Exception {
    Files.writeString(
        input.resolve("part-2.json"),
        """
        {"id":"c4","seq":1,"name":"Dan"}
        {"id":"c1","seq":2,"name":"Ann","city":"Oslo"}
        {"id":"c3","seq":1,"name":"Cy","city":"Rome"}
        """);
  }

  private static final List<Row> BRONZE =
      List.of(
          Row.of("c1", "Ann", 1L, null, null),
          Row.of("c2", "Bob", 1L, null, null),
          Row.of("c4", "Dan", 1L, null, null),
          Row.of("c1", "Ann", 2L, "Oslo", null),
          Row.of("c3", "Cy", 1L, "Rome", null));

  /** c1 of the second file is dropped: the key was seen in the first update, before the evolution. */
  private static final List<Row> SILVER =
      List.of(
          Row.of("c1", "Ann", 1L, null, null),
          Row.of("c2", "Bob", 1L, null, null),
          Row.of("c4", "Dan", 1L, null, null),
          Row.of("c3", "Cy", 1L, "Rome", null));

  @Test
  void productionModeRestartsTheFlowWithinTheUpdateWithTheEvolvedSchema() throws Exception {
    Path input = firstUpdateInput();
    assertThat(builder(input, false).run().state()).isEqualTo(UpdateState.COMPLETED);
    addFileWithNewColumn(input);

    RunningUpdate running = builder(input, false).start();
    UpdateResult evolved = running.await();

    assertThat(evolved.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(running.events())
        .filteredOn(e -> e.dataset().equals("bronze"))
        .extracting(FlowEvent::state, FlowEvent::detail)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                FlowState.FAILED,
                "Flow 'bronze': Auto Loader found new columns"
                    + " [city] in file "
                    + input.resolve("part-2.json").toUri().toString().replace("file:///", "file:/")
                    + " and added them to the schema stored under 'file:"
                    + dir.resolve("storage/_tributary/schemas/bronze")
                    + "'. Restarting the flow with the evolved schema."),
            org.assertj.core.groups.Tuple.tuple(
                FlowState.STARTING, "restart with the evolved schema"));
    assertTables();

    assertThat(builder(input, false).run().state())
        .as("nothing new: nothing written twice")
        .isEqualTo(UpdateState.COMPLETED);
    assertTables();
  }

  @Test
  void developmentModeFailsTheFlowNamingTheColumnsAndTheNextUpdateReadsThem() throws Exception {
    Path input = firstUpdateInput();
    assertThat(builder(input, true).run().state()).isEqualTo(UpdateState.COMPLETED);
    addFileWithNewColumn(input);

    UpdateResult stopped = builder(input, true).run();

    assertThat(stopped.state()).isEqualTo(UpdateState.FAILED);
    assertThat(stopped.error().orElseThrow())
        .isEqualTo(
            "Flow 'bronze': Auto Loader found new columns [city] in file "
                + input.resolve("part-2.json").toUri().toString().replace("file:///", "file:/")
                + " and added them to the schema stored under 'file:"
                + dir.resolve("storage/_tributary/schemas/bronze")
                + "'. The flow stopped; the next update reads the file again with the new columns: run the pipeline"
                + " again. (In production mode, development: false, the flow restarts with them within the update.)");
    assertThat(stopped.flow("gold").orElseThrow().state()).isEqualTo(FlowState.SKIPPED);
    assertThat(stopped.flow("customers").orElseThrow().state()).isEqualTo(FlowState.FAILED);
    assertThat(rows("silver"))
        .as("the stopped epoch committed nothing")
        .containsExactlyInAnyOrder(Row.of("c1", "Ann", 1L, null), Row.of("c2", "Bob", 1L, null));

    UpdateResult next = builder(input, true).run();

    assertThat(next.state()).isEqualTo(UpdateState.COMPLETED);
    assertTables();
  }

  /** c1 changed at seq 2 after the evolution: its state from the first update was restored and merged. */
  private static final List<Row> CUSTOMERS =
      List.of(
          Row.of("c1", "Ann", 2L, "Oslo", null),
          Row.of("c2", "Bob", 1L, null, null),
          Row.of("c4", "Dan", 1L, null, null),
          Row.of("c3", "Cy", 1L, "Rome", null));

  private void assertTables() {
    RowType bronze = DeltaTableReader.schema(table("bronze")).orElseThrow();
    assertThat(bronze.getFieldNames())
        .containsExactly("id", "name", "seq", "city", "_rescued_data");
    assertThat(rows("bronze")).containsExactlyInAnyOrderElementsOf(BRONZE);
    assertThat(rows("silver")).containsExactlyInAnyOrderElementsOf(SILVER);
    assertThat(rows("gold")).containsExactlyInAnyOrderElementsOf(SILVER);
    assertThat(rows("customers")).containsExactlyInAnyOrderElementsOf(CUSTOMERS);
  }

  private Tributary.Builder builder(Path input, boolean development) {
    return Tributary.pipeline(new Customers())
        .name("customers")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .development(development)
        .retries(2, Duration.ofMillis(100))
        .cluster(CLUSTER.cluster());
  }

  private String table(String name) {
    return dir.resolve("storage/tables/" + name).toString();
  }

  private List<Row> rows(String table) {
    return DeltaTableReader.readAll(table(table));
  }
}
