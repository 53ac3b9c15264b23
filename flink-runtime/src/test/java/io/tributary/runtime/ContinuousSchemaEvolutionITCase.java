package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Row;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema evolution in a continuous update. In production mode a file with a new column restarts the
 * flow within the running update, as a triggered update does: the update keeps running, bronze and
 * the streaming table downstream of it in the same job gain the column (NULL for older rows), the
 * materialized table recomputed from them too, the deduplication state kept before the change still
 * drops an old key, and no row is lost or doubled, also when the update is stopped while a flow
 * restarts. In development mode the update ends FAILED naming the columns, and the next update
 * reads them.
 */
class ContinuousSchemaEvolutionITCase {

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER =
      new TributaryClusterExtension(4, new Configuration());

  @TempDir Path dir;

  /** bronze (inferred JSON, addNewColumns by default) → silver (dropDuplicates, same job) → gold (a snapshot). */
  public static final class Events implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(AutoLoader.json(p.conf("source", "/none")).option("inferColumnTypes", "true"));
      p.streamingTable("silver").from("bronze").dropDuplicates("a");
      p.table("gold").sql("SELECT * FROM silver");
    }
  }

  private static final List<Row> BRONZE =
      List.of(
          Row.of("k1", 1L, null, null),
          Row.of("k2", 2L, null, null),
          Row.of("k3", 3L, "x", null),
          Row.of("k1", 4L, "y", null),
          Row.of("k4", 5L, "z", null),
          Row.of("k5", 6L, null, null));

  /** k1 of the second file is dropped: the key was seen before the evolution. */
  private static final List<Row> SILVER =
      List.of(
          Row.of("k1", 1L, null, null),
          Row.of("k2", 2L, null, null),
          Row.of("k3", 3L, "x", null),
          Row.of("k4", 5L, "z", null),
          Row.of("k5", 6L, null, null));

  @Test
  void productionModeRestartsTheFlowWithinTheRunningUpdateAndAStopDuringARestartKeepsEveryRow()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("events"));
    land(input, "part-1.json", "{\"a\":\"k1\",\"b\":1}\n{\"a\":\"k2\",\"b\":2}\n");
    RunningUpdate running = builder(input, false).start();
    awaitRows(running, "silver", 2);

    land(
        input,
        "part-2.json",
        "{\"a\":\"k3\",\"b\":3,\"c\":\"x\"}\n{\"a\":\"k1\",\"b\":4,\"c\":\"y\"}\n");
    awaitRows(running, "bronze", 4);
    land(input, "part-3.json", "{\"a\":\"k4\",\"b\":5,\"c\":\"z\"}\n{\"a\":\"k5\",\"b\":6}\n");
    awaitRows(running, "silver", 5);
    await(running, () -> rows("gold").size() >= 5);

    assertThat(running.state()).isEqualTo(UpdateState.RUNNING);
    assertThat(running.events())
        .filteredOn(e -> e.dataset().equals("silver"))
        .extracting(FlowEvent::state, FlowEvent::detail)
        .containsSubsequence(
            Tuple.tuple(
                FlowState.FAILED,
                evolved(input, "[c]", "part-2.json")
                    + " Restarting the flow with the evolved schema."),
            Tuple.tuple(FlowState.STARTING, "restart with the evolved schema"),
            Tuple.tuple(FlowState.RUNNING, ""));
    assertThat(running.eventLog())
        .as("the event log shows the restart as the listener does")
        .filteredOn(
            e ->
                e.eventType().equals("flow_progress")
                    && e.origin().dataset().equals(Optional.of("bronze")))
        .extracting(Event::message, Event::error)
        .containsSubsequence(
            Tuple.tuple(
                "Flow 'bronze' is FAILED.",
                Optional.of(
                    evolved(input, "[c]", "part-2.json")
                        + " Restarting the flow with the evolved schema.")),
            Tuple.tuple(
                "Flow 'bronze' is STARTING. restart with the evolved schema", Optional.empty()));
    assertThat(DeltaTableReader.schema(table("bronze")).orElseThrow().getFieldNames())
        .containsExactly("a", "b", "c", "_rescued_data");
    assertThat(rows("bronze")).containsExactlyInAnyOrderElementsOf(BRONZE);
    assertThat(rows("silver")).containsExactlyInAnyOrderElementsOf(SILVER);
    assertThat(rows("gold")).containsExactlyInAnyOrderElementsOf(SILVER);

    // a second new column, and `tributary stop` as soon as the flow is restarting for it
    land(input, "part-4.json", "{\"a\":\"k6\",\"b\":7,\"c\":\"w\",\"d\":true}\n");
    String restarting =
        evolved(input, "[d]", "part-4.json") + " Restarting the flow with the evolved schema.";
    await(running, () -> running.events().stream().anyMatch(e -> e.detail().equals(restarting)));
    PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration())
        .requestStop();
    UpdateResult stopped = running.await();

    assertThat(stopped.state()).as("%s", stopped.error()).isEqualTo(UpdateState.STOPPED);
    assertThat(stopped.flows())
        .filteredOn(f -> !f.dataset().equals("gold"))
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactlyInAnyOrder(
            Tuple.tuple("bronze", FlowState.STOPPED), Tuple.tuple("silver", FlowState.STOPPED));
    assertThat(running.events())
        .filteredOn(e -> e.dataset().equals("bronze"))
        .last()
        .extracting(FlowEvent::state, FlowEvent::detail)
        .containsExactly(FlowState.STOPPED, "stopped with a savepoint; its state is kept");

    UpdateResult next = builder(input, false).continuous(false).run();

    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.schema(table("silver")).orElseThrow().getFieldNames())
        .containsExactly("a", "b", "c", "d", "_rescued_data");
    Row k6 = Row.of("k6", 7L, "w", true, null);
    assertThat(rows("bronze")).containsExactlyInAnyOrderElementsOf(withD(BRONZE, k6));
    assertThat(rows("silver")).containsExactlyInAnyOrderElementsOf(withD(SILVER, k6));
    assertThat(rows("gold")).containsExactlyInAnyOrderElementsOf(withD(SILVER, k6));
  }

  @Test
  void developmentModeEndsTheContinuousUpdateFailedNamingTheColumnsAndTheNextUpdateReadsThem()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("events"));
    land(input, "part-1.json", "{\"a\":\"k1\",\"b\":1}\n{\"a\":\"k2\",\"b\":2}\n");
    RunningUpdate running = builder(input, true).start();
    awaitRows(running, "silver", 2);

    land(
        input,
        "part-2.json",
        "{\"a\":\"k3\",\"b\":3,\"c\":\"x\"}\n{\"a\":\"k1\",\"b\":4,\"c\":\"y\"}\n");
    UpdateResult failed = running.await();

    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.error().orElseThrow())
        .isEqualTo(
            evolved(input, "[c]", "part-2.json")
                + " The flow stopped;"
                + " the next update reads the file again with the new columns: run the pipeline again. (In production"
                + " mode, development: false, the flow restarts with them within the update.)");
    assertThat(failed.flow("silver").orElseThrow().state()).isEqualTo(FlowState.FAILED);
    assertThat(rows("silver"))
        .as("the stopped epoch committed nothing, and the table has no column c yet")
        .containsExactlyInAnyOrder(Row.of("k1", 1L, null), Row.of("k2", 2L, null));

    UpdateResult next = builder(input, true).continuous(false).run();

    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("bronze")).containsExactlyInAnyOrderElementsOf(BRONZE.subList(0, 4));
    assertThat(rows("silver")).containsExactlyInAnyOrderElementsOf(SILVER.subList(0, 3));
    assertThat(rows("gold")).containsExactlyInAnyOrderElementsOf(SILVER.subList(0, 3));
  }

  /** The flow's message for new columns met in {@code file}. */
  private String evolved(Path input, String columns, String file) {
    return "Flow 'bronze': Auto Loader found new columns "
        + columns
        + " in file "
        + input.resolve(file).toUri().toString().replace("file:///", "file:/")
        + " and added them to the schema stored under 'file:"
        + dir.resolve("storage/_tributary/schemas/bronze")
        + "'.";
  }

  /** {@code rows} (a, b, c, _rescued_data) with d NULL inserted before _rescued_data, and {@code added}. */
  private static List<Row> withD(List<Row> rows, Row added) {
    List<Row> widened =
        new java.util.ArrayList<>(
            rows.stream()
                .map(r -> Row.of(r.getField(0), r.getField(1), r.getField(2), null, r.getField(3)))
                .toList());
    widened.add(added);
    return widened;
  }

  /** Writes a file under a hidden name and renames it into place, as writers do. */
  private static void land(Path input, String name, String content) throws Exception {
    Path hidden = input.resolve("." + name + ".tmp");
    Files.writeString(hidden, content);
    Files.move(hidden, input.resolve(name));
  }

  private Tributary.Builder builder(Path input, boolean development) {
    return Tributary.pipeline(new Events())
        .name("events")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(1)
        .triggerInterval(Duration.ofMillis(500))
        .continuous(true)
        .development(development)
        .retries(2, Duration.ofMillis(100))
        .cluster(CLUSTER.cluster());
  }

  private void awaitRows(RunningUpdate running, String table, int count)
      throws InterruptedException {
    await(running, () -> rows(table).size() >= count);
  }

  /** Polls until {@code condition} holds; fails with the update's flow events after {@link #PATIENCE}. */
  private static void await(RunningUpdate running, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime())
          .as("waiting; flow events: %s", running.events())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private String table(String name) {
    return dir.resolve("storage/tables/" + name).toString();
  }

  private List<Row> rows(String table) {
    String path = table(table);
    return DeltaTableReader.schema(path).isPresent() ? DeltaTableReader.readAll(path) : List.of();
  }
}
