package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
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

/** Declarative-pipeline semantics end to end, after Spark's declarative-pipelines suites. */
class PipelineSemanticsITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** Three hops declared downstream first: gold (SQL), silver (Table API), bronze (files). */
  public static final class OutOfOrder implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.table("gold")
          .sql("SELECT customer_id, SUM(amount) AS total FROM silver GROUP BY customer_id");
      p.streamingTable("silver")
          .query(ctx -> ctx.readStream("bronze").filter($("amount").isGreater(0)));
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE")
                  .option("rescuedDataColumn", "false"));
    }
  }

  @Test
  void aThreeHopPipelineDefinedOutOfOrderRunsInDependencyOrder() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":2.0}
        {"order_id":"o2","customer_id":"c1","amount":-5.0}
        {"order_id":"o3","customer_id":"c2","amount":4.0}
        """);

    RunningUpdate update = builder(input).start();
    UpdateResult result = update.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(result.flows())
        .extracting(FlowResult::dataset)
        .containsExactly("bronze", "silver", "gold");
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/gold").toString()))
        .containsExactlyInAnyOrder(Row.of("c1", 2.0), Row.of("c2", 4.0));
  }

  @Test
  void anEmptySourceStillEmitsEveryFlowEventAndWritesEmptyTables() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));

    RunningUpdate update = builder(input).start();
    UpdateResult result = update.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    for (String dataset : List.of("bronze", "silver", "gold")) {
      assertThat(update.events())
          .filteredOn(e -> e.dataset().equals(dataset))
          .extracting(FlowEvent::state)
          .as(dataset)
          .containsSubsequence(
              FlowState.QUEUED, FlowState.STARTING, FlowState.RUNNING, FlowState.COMPLETED);
      assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/" + dataset).toString()))
          .as(dataset)
          .isEmpty();
    }
    List<Event> definitions =
        EventLog.of(
                PipelineStorage.at(
                    dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration()))
            .events("flow_definition");
    assertThat(definitions)
        .extracting(e -> e.origin().dataset().orElseThrow())
        .containsExactlyInAnyOrder("bronze", "silver", "gold");
  }

  /** Silver drops bad rows into quarantine, with the names of the expectations each failed. */
  public static final class Quarantined implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE")
                  .option("rescuedDataColumn", "false"));
      p.streamingTable("silver")
          .from("bronze")
          .expectOrDrop("positive_amount", "amount > 0")
          .expectOrDrop("known_customer", "customer_id IS NOT NULL")
          .expect("small_amount", "amount < 100")
          .quarantine();
    }
  }

  @Test
  void quarantineKeepsExactlyTheDroppedRowsWithTheExpectationsTheyFailed() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":2.0}
        {"order_id":"o2","customer_id":"c1","amount":-5.0}
        {"order_id":"o3","customer_id":null,"amount":400.0}
        {"order_id":"o4","customer_id":"c2","amount":150.0}
        """);

    UpdateResult result =
        Tributary.pipeline(new Quarantined())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(2)
            .triggerInterval(Duration.ofSeconds(1))
            .cluster(CLUSTER.cluster())
            .run();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/silver").toString()))
        .extracting(row -> row.getField(0))
        .containsExactlyInAnyOrder("o1", "o4");
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/silver_quarantine").toString()))
        .extracting(
            row -> row.getField(0) + " " + java.util.Arrays.toString((Object[]) row.getField(3)))
        .containsExactlyInAnyOrder("o2 [positive_amount]", "o3 [known_customer, small_amount]");
  }

  /** Orders whose ids must be unique across updates. */
  public static final class UniqueOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, amount DOUBLE")
                  .option("rescuedDataColumn", "false"))
          .expectUnique("order_id")
          .expect("positive_amount", "amount > 0");
    }
  }

  @Test
  void expectUniqueCountsRepeatedKeysAcrossUpdatesAndKeepsTheRows() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","amount":2.0}
        {"order_id":"o2","amount":-1.0}
        {"order_id":"o1","amount":3.0}
        """);
    Tributary.Builder builder =
        Tributary.pipeline(new UniqueOrders())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(2)
            .triggerInterval(Duration.ofSeconds(1))
            .cluster(CLUSTER.cluster());
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());

    UpdateResult first = builder.run();
    Files.writeString(input.resolve("part-2.json"), "{\"order_id\":\"o2\",\"amount\":5.0}\n");
    UpdateResult second = builder.run();

    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/orders").toString()))
        .hasSize(4);
    List<Event> events = EventLog.of(storage).events();
    assertThat(EventLog.dataQuality(events, first.updateId()).values())
        .extracting(t -> t.name() + " " + t.passed() + "/" + t.failed())
        .containsExactlyInAnyOrder("unique_order_id 2/1", "positive_amount 2/1");
    assertThat(EventLog.dataQuality(events, second.updateId()).values())
        .extracting(t -> t.name() + " " + t.passed() + "/" + t.failed())
        .as("o2 was seen in the first update")
        .containsExactlyInAnyOrder("unique_order_id 0/1", "positive_amount 1/0");
  }

  private Tributary.Builder builder(Path input) {
    return Tributary.pipeline(new OutOfOrder())
        .name("shop")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(CLUSTER.cluster());
  }
}
