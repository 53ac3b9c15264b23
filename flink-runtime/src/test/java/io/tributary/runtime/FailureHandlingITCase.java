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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** How an update ends when a flow fails: downstream SKIPPED, independent flows complete, retries counted. */
class FailureHandlingITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** Two independent branches: orders (with an expect_or_fail) and customers. */
  public static final class TwoBranches implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("orders", "/none"))
                  .schema("order_id STRING, amount DOUBLE")
                  .option("mode", p.conf("orders.mode", "PERMISSIVE")));
      p.streamingTable("valid_orders").from("orders").expectOrFail("positive_amount", "amount > 0");
      p.table("order_totals").sql("SELECT COUNT(*) AS orders FROM valid_orders");
      p.streamingTable("customers")
          .from(AutoLoader.json(p.conf("customers", "/none")).schema("customer_id STRING"));
    }
  }

  /** {@link TwoBranches} with orders deduplicated: its streaming job's state no longer fits. */
  public static final class TwoBranchesDeduplicated implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("orders", "/none"))
                  .schema("order_id STRING, amount DOUBLE")
                  .option("mode", p.conf("orders.mode", "PERMISSIVE")))
          .dropDuplicates("order_id");
      p.streamingTable("valid_orders").from("orders").expectOrFail("positive_amount", "amount > 0");
      p.table("order_totals").sql("SELECT COUNT(*) AS orders FROM valid_orders");
      p.streamingTable("customers")
          .from(AutoLoader.json(p.conf("customers", "/none")).schema("customer_id STRING"));
    }
  }

  @Test
  void aFailedFlowSkipsItsDownstreamAndIsNotRetriedWhenItsDataIsAtFault() throws Exception {
    Path orders =
        write(
            "orders",
            "{\"order_id\":\"o1\",\"amount\":5.0}\n{\"order_id\":\"o2\",\"amount\":-1.0}\n");
    Path customers = write("customers", "{\"customer_id\":\"c1\"}\n");

    RunningUpdate running = builder(orders, customers, "PERMISSIVE").start();
    UpdateResult result = running.await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.flow("valid_orders").orElseThrow().state()).isEqualTo(FlowState.FAILED);
    assertThat(result.flow("order_totals").orElseThrow().state()).isEqualTo(FlowState.SKIPPED);
    assertThat(result.flow("customers").orElseThrow().state()).isEqualTo(FlowState.COMPLETED);
    assertThat(result.error().orElseThrow())
        .contains("expectation 'positive_amount' (amount > 0) failed on row");
    assertThat(failedEvents(running, "valid_orders"))
        .as("an expect_or_fail violation is never retried")
        .isEqualTo(1);
    // the failing row's micro-batch commits nothing; an earlier epoch holding only o1 may have
    // committed
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/valid_orders").toString()))
        .extracting(row -> row.getField(0))
        .isSubsetOf("o1");
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/customers").toString()))
        .hasSize(1);
  }

  @Test
  void productionModeRetriesAFailedFlowBeforeFailingTheUpdate() throws Exception {
    Path orders = write("orders", "{\"order_id\":\"o1\",\"amount\":5.0}\n{not json\n");
    Path customers = write("customers", "{\"customer_id\":\"c1\"}\n");

    RunningUpdate running = builder(orders, customers, "FAILFAST").start();
    UpdateResult result = running.await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failedEvents(running, "orders"))
        .as("two retries, then the final failure")
        .isEqualTo(3);
    assertThat(result.flow("customers").orElseThrow().state()).isEqualTo(FlowState.COMPLETED);
    assertThat(result.error().orElseThrow()).contains("line 2");
  }

  @Test
  void stateSavedByAnotherDefinitionIsNeverRetriedInProductionMode() throws Exception {
    Path orders = write("orders", "{\"order_id\":\"o1\",\"amount\":5.0}\n");
    Path customers = write("customers", "{\"customer_id\":\"c1\"}\n");
    assertThat(builder(orders, customers, "PERMISSIVE").start().await().state())
        .isEqualTo(UpdateState.COMPLETED);

    RunningUpdate running =
        builder(new TwoBranchesDeduplicated(), orders, customers, "PERMISSIVE").start();
    UpdateResult result = running.await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error().orElseThrow())
        .contains("was saved by a different definition")
        .contains("--full-refresh-tables");
    assertThat(failedEvents(running, "orders"))
        .as("state that does not fit the definition fails the same way every time: no retry")
        .isEqualTo(1);
    assertThat(running.events())
        .as("no retry was started")
        .noneMatch(e -> e.dataset().equals("orders") && e.detail().contains("retry"));
  }

  private Tributary.Builder builder(Path orders, Path customers, String mode) {
    return builder(new TwoBranches(), orders, customers, mode);
  }

  private Tributary.Builder builder(
      PipelineDefinition definition, Path orders, Path customers, String mode) {
    return Tributary.pipeline(definition)
        .name("shop")
        .storage(dir.resolve("storage").toString())
        .configuration(
            Map.of(
                "orders",
                orders.toString(),
                "customers",
                customers.toString(),
                "orders.mode",
                mode))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .development(false)
        .retries(2, Duration.ofMillis(10))
        .flinkOption("restart-strategy.type", "none")
        .cluster(CLUSTER.cluster());
  }

  private static long failedEvents(RunningUpdate update, String dataset) {
    return update.events().stream()
        .filter(e -> e.dataset().equals(dataset) && e.state() == FlowState.FAILED)
        .count();
  }

  private Path write(String folder, String lines) throws Exception {
    Path path = Files.createDirectories(dir.resolve(folder));
    Files.writeString(path.resolve("part-1.json"), lines);
    return path;
  }
}
