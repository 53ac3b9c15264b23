package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.RefreshSelection;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The execution model end to end: triggered updates over files, each reading only what is new,
 * keeping dedup state between updates, with a materialized table recomputed after the streams.
 */
class TriggeredUpdateITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** bronze (Auto Loader) -> silver (expect_or_drop, dropDuplicates) -> gold (aggregate). */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("silver")
          .from("bronze")
          .expectOrDrop("positive_amount", "amount > 0")
          .dropDuplicates("order_id");
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM silver"
                  + " GROUP BY customer_id");
    }
  }

  /**
   * Orders with gold recomputed at each update, as every materialized table was before incremental
   * refresh: it writes all its rows in each update (an incremental gold writes the keys that changed).
   */
  public static final class OrdersRecomputedGold implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("silver")
          .from("bronze")
          .expectOrDrop("positive_amount", "amount > 0")
          .dropDuplicates("order_id");
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM silver"
                  + " GROUP BY customer_id")
          .tableProperty(io.tributary.runtime.analysis.RefreshPlanner.INCREMENTAL, "false");
    }
  }

  /** Orders with silver deduplicated on another key: the saved dedup state no longer fits. */
  public static final class OrdersDedupByCustomer implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("silver")
          .from("bronze")
          .expectOrDrop("positive_amount", "amount > 0")
          .dropDuplicates("customer_id");
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM silver"
                  + " GROUP BY customer_id");
    }
  }

  @Test
  void aChangeThatMakesSavedStateUnusableIsReportedBeforeTheJobRunsWithTheFix() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":2.0}
        {"order_id":"o2","customer_id":"c1","amount":3.0}
        """);
    assertThat(update(input).state()).isEqualTo(UpdateState.COMPLETED);

    UpdateResult changed = builder(input, new OrdersDedupByCustomer()).run();

    assertThat(changed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(changed.error().orElseThrow())
        .isEqualTo(
            "The state of bronze, silver was saved by a different definition (was \"silver drop duplicates"
                + " [order_id]\", now \"silver drop duplicates [customer_id]\"), so the next update cannot continue"
                + " from it. Run a full refresh of these tables: tributary start PIPELINE.yml --full-refresh-tables"
                + " bronze,silver.");
    assertThat(changed.flow("gold").orElseThrow().state()).isEqualTo(FlowState.SKIPPED);

    UpdateResult refreshed =
        builder(input, new OrdersDedupByCustomer())
            .selection(RefreshSelection.fullRefreshTables(Set.of("silver")))
            .run();

    assertThat(refreshed.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("silver")).hasSize(1);
  }

  @Test
  void eachUpdateProcessesOnlyNewFilesAndKeepsStateBetweenUpdates() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o2","customer_id":"c1","amount":-1.0}
        {"order_id":"o3","customer_id":"c2","amount":5.0}
        """);

    UpdateResult first = update(input);

    assertThat(first.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("bronze")).hasSize(3);
    assertThat(rows("silver"))
        .containsExactlyInAnyOrder(Row.of("o1", "c1", 10.0), Row.of("o3", "c2", 5.0));
    assertThat(rows("gold"))
        .containsExactlyInAnyOrder(Row.of("c1", 1L, 10.0), Row.of("c2", 1L, 5.0));

    UpdateResult second = update(input);

    assertThat(second.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("bronze")).hasSize(3);
    assertThat(rows("silver")).hasSize(2);

    Files.writeString(
        input.resolve("part-2.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o4","customer_id":"c2","amount":7.5}
        """);
    UpdateResult third = update(input);

    assertThat(third.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(third.number()).isEqualTo(3);
    assertThat(rows("bronze")).hasSize(5);
    assertThat(rows("silver"))
        .as("o1 was seen in the first update: dropDuplicates remembers it")
        .containsExactlyInAnyOrder(
            Row.of("o1", "c1", 10.0), Row.of("o3", "c2", 5.0), Row.of("o4", "c2", 7.5));
    assertThat(rows("gold"))
        .containsExactlyInAnyOrder(Row.of("c1", 1L, 10.0), Row.of("c2", 2L, 12.5));
  }

  @Test
  void theListenerHearsTheRowsEachFlowWroteInTheUpdate() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o2","customer_id":"c1","amount":-1.0}
        {"order_id":"o3","customer_id":"c2","amount":5.0}
        {"order_id":"o3","customer_id":"c2","amount":5.0}
        """);
    Map<String, Long> heard = new java.util.concurrent.ConcurrentHashMap<>();
    UpdateListener rows =
        new UpdateListener() {
          @Override
          public void onFlow(String dataset, FlowState state, String detail) {}

          @Override
          public void onRows(String dataset, long count) {
            heard.put(dataset, count);
          }
        };

    UpdateResult first = builder(input, new OrdersRecomputedGold()).listener(rows).run();

    assertThat(first.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(heard)
        .as("the last count heard is each flow's rows written in the update")
        .containsExactlyInAnyOrderEntriesOf(Map.of("bronze", 4L, "silver", 2L, "gold", 2L));

    heard.clear();
    Files.writeString(
        input.resolve("part-2.json"),
        "{\"order_id\":\"o4\",\"customer_id\":\"c2\",\"amount\":1.0}\n");
    builder(input, new OrdersRecomputedGold()).listener(rows).run();

    assertThat(heard)
        .as("a second update counts only its own rows")
        .containsExactlyInAnyOrderEntriesOf(Map.of("bronze", 1L, "silver", 1L, "gold", 2L));
  }

  @Test
  void aStoppedUpdateKeepsItsPositionsAndTheNextOneFinishesExactlyOnce() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    StringBuilder lines = new StringBuilder();
    for (int file = 0; file < 20; file++) {
      lines.setLength(0);
      for (int i = 0; i < 200; i++) {
        lines
            .append("{\"order_id\":\"o")
            .append(file)
            .append('-')
            .append(i)
            .append("\",\"customer_id\":\"c")
            .append(i % 7)
            .append("\",\"amount\":1.0}\n");
      }
      Files.writeString(input.resolve("part-" + file + ".json"), lines);
    }

    RunningUpdate running = builder(input).start();
    Await.until(
        "a flow RUNNING",
        Duration.ofSeconds(60),
        Duration.ofMillis(1),
        () -> running.events().stream().anyMatch(e -> e.state() == FlowState.RUNNING));
    running.stop();
    UpdateResult stopped = running.await();

    assertThat(stopped.state()).isEqualTo(UpdateState.STOPPED);
    assertThat(stopped.flow("gold").orElseThrow().state())
        .as("not started after the stop")
        .isEqualTo(FlowState.STOPPED);
    assertThat(running.events())
        .extracting(FlowEvent::dataset, FlowEvent::state)
        .contains(tuple("bronze", FlowState.QUEUED), tuple("bronze", FlowState.RUNNING));

    UpdateResult next = update(input);

    assertThat(next.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("bronze")).hasSize(4000);
    assertThat(rows("silver")).hasSize(4000);
    assertThat(rows("gold")).hasSize(7);
  }

  @Test
  void refreshSelectionLeavesExcludedTablesStaleAndAFullRefreshRecomputesTheJob() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");
    assertThat(update(input).state()).isEqualTo(UpdateState.COMPLETED);
    Files.writeString(
        input.resolve("part-2.json"),
        "{\"order_id\":\"o2\",\"customer_id\":\"c1\",\"amount\":3.0}\n");

    UpdateResult goldOnly =
        builder(input).selection(RefreshSelection.refresh(Set.of("gold"))).run();

    assertThat(goldOnly.flow("bronze").orElseThrow().state()).isEqualTo(FlowState.EXCLUDED);
    assertThat(goldOnly.flow("gold").orElseThrow().state()).isEqualTo(FlowState.COMPLETED);
    assertThat(rows("silver")).as("excluded: the new file is not read").hasSize(1);
    assertThat(rows("gold")).containsExactly(Row.of("c1", 1L, 2.0));

    UpdateResult full =
        builder(input).selection(RefreshSelection.fullRefreshTables(Set.of("silver"))).run();

    assertThat(full.flow("silver").orElseThrow().state()).isEqualTo(FlowState.COMPLETED);
    assertThat(full.flow("gold").orElseThrow().state()).isEqualTo(FlowState.EXCLUDED);
    assertThat(rows("bronze"))
        .as("reset with silver, its job: every file read once again")
        .hasSize(2);
    assertThat(rows("silver")).hasSize(2);
    assertThat(rows("gold"))
        .as("excluded: still the old result")
        .containsExactly(Row.of("c1", 1L, 2.0));
  }

  @Test
  void aStopRequestedFromAnotherProcessEndsTheUpdateStopped() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");

    RunningUpdate running = builder(input).start();
    Await.until(
        "a flow RUNNING",
        Duration.ofSeconds(60),
        Duration.ofMillis(1),
        () -> running.events().stream().anyMatch(e -> e.state() == FlowState.RUNNING));
    PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration())
        .requestStop();

    assertThat(running.await().state()).isEqualTo(UpdateState.STOPPED);
    assertThat(update(input).state())
        .as("the stop request was consumed")
        .isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("silver")).hasSize(1);
  }

  @Test
  void aSecondStartOfTheSamePipelineIsRefusedWhileOneRuns() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");

    RunningUpdate running = builder(input).start();
    try {
      assertThatThrownBy(() -> builder(input).start())
          .isInstanceOf(PipelineLock.PipelineLockedException.class)
          .hasMessageStartingWith("Pipeline 'orders' is already running an update");
    } finally {
      assertThat(running.await().state()).isEqualTo(UpdateState.COMPLETED);
    }
  }

  /** Two sources unioned; {@code swapped} declares them in the other order. */
  public record Union(boolean swapped) implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      for (String name : swapped ? List.of("b", "a") : List.of("a", "b")) {
        p.streamingTable(name)
            .from(AutoLoader.json(p.conf("source." + name, "/none")).schema("id STRING"));
      }
      p.streamingTable("all_ids")
          .sql("SELECT id FROM STREAM(a) UNION ALL SELECT id FROM STREAM(b)");
    }
  }

  @Test
  void declaringTablesInAnotherOrderKeepsTheirJobAndItsState() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Files.writeString(a.resolve("part-1.json"), "{\"id\":\"a1\"}\n");
    Files.writeString(b.resolve("part-1.json"), "{\"id\":\"b1\"}\n");
    Map<String, String> conf = Map.of("source.a", a.toString(), "source.b", b.toString());

    for (boolean swapped : List.of(false, true)) {
      UpdateResult result =
          Tributary.pipeline(new Union(swapped))
              .name("union")
              .storage(dir.resolve("storage").toString())
              .configuration(conf)
              .parallelism(2)
              .triggerInterval(Duration.ofSeconds(1))
              .cluster(CLUSTER.cluster())
              .run();
      assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
      assertThat(result.flow("all_ids").orElseThrow().job()).isEqualTo("stream_a");
    }
    assertThat(rows("all_ids")).as("nothing read twice").hasSize(2);
  }

  @Test
  void anUpdateAtAnotherParallelismContinuesFromTheSavedState() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    updateWithNewFile(
        input,
        "part-1.json",
        1,
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o3","customer_id":"c2","amount":5.0}
        """);
    updateWithNewFile( // scaled up
        input,
        "part-2.json",
        2,
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o4","customer_id":"c2","amount":7.5}
        """);
    updateWithNewFile( // scaled down
        input,
        "part-3.json",
        1,
        """
        {"order_id":"o4","customer_id":"c2","amount":7.5}
        {"order_id":"o5","customer_id":"c1","amount":1.0}
        """);

    assertThat(rows("bronze")).as("each file read once").hasSize(6);
    assertThat(rows("silver"))
        .as("dropDuplicates' keys kept across both changes")
        .containsExactlyInAnyOrder(
            Row.of("o1", "c1", 10.0),
            Row.of("o3", "c2", 5.0),
            Row.of("o4", "c2", 7.5),
            Row.of("o5", "c1", 1.0));
    assertThat(rows("gold"))
        .containsExactlyInAnyOrder(Row.of("c1", 2L, 11.0), Row.of("c2", 2L, 12.5));
  }

  @Test
  void aParallelismAboveTheSavedMaximumNamesTheTablesToRefresh() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");
    // state saved with a maximum parallelism of 1 (128 unless set), which no later job can exceed
    UpdateResult saved =
        builder(input).parallelism(1).flinkOption("pipeline.max-parallelism", "1").run();
    assertThat(saved.state()).as("%s", saved.error()).isEqualTo(UpdateState.COMPLETED);

    UpdateResult wider = builder(input).parallelism(2).run();

    assertThat(wider.state()).isEqualTo(UpdateState.FAILED);
    assertThat(wider.error().orElseThrow())
        .startsWith("The state of bronze, silver does not fit their current definition (")
        .contains(
            "The maximum parallelism (1) of the restored state is lower than the configured"
                + " parallelism (2)")
        .endsWith(
            "Run a full refresh of these tables: tributary start PIPELINE.yml"
                + " --full-refresh-tables bronze,silver.");
    UpdateResult refreshed =
        builder(input)
            .parallelism(2)
            .selection(RefreshSelection.fullRefreshTables(Set.of("silver")))
            .run();
    assertThat(refreshed.state()).as("%s", refreshed.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("silver")).containsExactly(Row.of("o1", "c1", 2.0));
  }

  /** A materialized table read from a folder of files. */
  public static final class Customers implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.table("customers")
          .from(
              AutoLoader.json(p.conf("source", "/none")).schema("customer_id STRING, name STRING"));
    }
  }

  @Test
  void aMaterializedTableReadsEveryFileOfItsFolderAtEachUpdate() throws Exception {
    Path input = Files.createDirectories(dir.resolve("customers"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"customer_id":"c1","name":"Ann"}
        {"customer_id":"c2","name":"Bob"}
        """);
    Files.writeString(input.resolve("_SUCCESS"), "");
    assertThat(builder(input, new Customers()).run().state()).isEqualTo(UpdateState.COMPLETED);
    Files.writeString(input.resolve("part-2.json"), "{\"customer_id\":\"c3\",\"name\":\"Cy\"}\n");
    UpdateResult second = builder(input, new Customers()).run();

    assertThat(second.state()).as("%s", second.error()).isEqualTo(UpdateState.COMPLETED);
    // recomputed from all the files, not only the new one, and overwritten, not appended to
    assertThat(rows("customers"))
        .containsExactlyInAnyOrder(Row.of("c1", "Ann"), Row.of("c2", "Bob"), Row.of("c3", "Cy"));
  }

  @Test
  void thePipelinesTablesCanBeQueriedWithFlinkSql() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":2.0}
        {"order_id":"o2","customer_id":"c2","amount":3.0}
        """);
    assertThat(update(input).state()).isEqualTo(UpdateState.COMPLETED);
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(
        file, "name: orders\nstorage: storage\nlibraries: [" + Orders.class.getName() + "]\n");

    java.io.StringWriter out = new java.io.StringWriter();
    int code =
        io.tributary.runtime.cli.TributaryCli.run(
            new String[] {
              "sql", file.toString(), "SELECT customer_id, total FROM gold WHERE total > 2.5"
            },
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(new java.io.StringWriter(), true));

    assertThat(code).isZero();
    assertThat(out.toString())
        .isEqualTo(
            """
        +-------------+-------+
        | customer_id | total |
        +-------------+-------+
        |          c2 |   3.0 |
        +-------------+-------+
        1 row in set
        """);
  }

  /** Writes {@code lines} as a new file of {@code input}, then runs an update at {@code parallelism}. */
  private void updateWithNewFile(Path input, String file, int parallelism, String lines)
      throws Exception {
    Files.writeString(input.resolve(file), lines);
    UpdateResult result = builder(input).parallelism(parallelism).run();
    assertThat(result.state())
        .as("the update at parallelism %d: %s", parallelism, result.error())
        .isEqualTo(UpdateState.COMPLETED);
  }

  private UpdateResult update(Path input) {
    return builder(input).run();
  }

  private Tributary.Builder builder(Path input) {
    return builder(input, new Orders());
  }

  private Tributary.Builder builder(Path input, PipelineDefinition definition) {
    return Tributary.pipeline(definition)
        .name("orders")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(CLUSTER.cluster());
  }

  private List<Row> rows(String table) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + table).toString());
  }
}
