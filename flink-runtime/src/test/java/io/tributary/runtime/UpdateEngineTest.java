package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.engine.FakeExecutor;
import io.tributary.runtime.engine.FakeExecutor.Run;
import io.tributary.runtime.source.SchemaEvolutions;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's behaviour against a {@link FakeExecutor}, without a cluster: the order of a triggered
 * update's jobs, one analysis per update, retries, stops and restarts for new columns, the update
 * record. Jobs are translated for real; the fake only decides how each run ends.
 */
class UpdateEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path orders;
  private Path customers;
  private final AtomicInteger analyses = new AtomicInteger();
  private final FakeExecutor executor = new FakeExecutor();

  /**
   * Two sources (orders declared, customers inferred), SQL and DSL streaming queries in the orders job,
   * two materialized tables over both jobs.
   */
  public static final class Shop implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("orders", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("orders_clean")
          .sql("SELECT order_id, customer_id, amount FROM STREAM(orders)" + " WHERE amount > 0");
      p.streamingTable("big_orders")
          .query(ctx -> ctx.readStream("orders_clean").filter($("amount").isGreater(100)));
      p.streamingTable("customers").from(AutoLoader.json(p.conf("customers", "/none")));
      p.table("totals")
          .sql(
              "SELECT c.name, SUM(o.amount) AS total FROM orders_clean o JOIN customers c"
                  + " ON o.customer_id = c.id GROUP BY c.name");
      p.table("customer_names").query(ctx -> ctx.read("customers").select($("name")));
    }
  }

  /** Three independent streaming tables and a materialized table that reads all three. */
  public static final class Three implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      for (String name : List.of("a", "b", "c")) {
        p.streamingTable(name)
            .from(AutoLoader.json(p.conf(name, "/none")).schema("id STRING, n INT"));
      }
      p.table("abc")
          .sql("SELECT id, n FROM a UNION ALL SELECT id, n FROM b UNION ALL SELECT id, n FROM c");
    }
  }

  @BeforeEach
  void input() throws Exception {
    orders = Files.createDirectories(dir.resolve("in/orders"));
    customers = Files.createDirectories(dir.resolve("in/customers"));
    Files.writeString(
        orders.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");
    Files.writeString(customers.resolve("part-1.json"), "{\"id\":\"c1\",\"name\":\"Ada\"}\n");
  }

  private Tributary.Builder builder() {
    return Tributary.pipeline(new Shop())
        .name("shop")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("orders", orders.toString(), "customers", customers.toString()))
        .parallelism(1)
        .executor(executor)
        .analyses(
            analyze ->
                plan -> {
                  analyses.incrementAndGet();
                  return analyze.apply(plan);
                });
  }

  @Test
  void aTriggeredUpdateRunsItsJobsInDependencyOrderAndAnalyzesThePipelineOnce() throws Exception {
    UpdateResult first = builder().run();

    assertThat(first.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(analyses).hasValue(1);
    assertThat(executor.jobs())
        .containsExactly(
            "stream_orders", "stream_customers", "table_totals", "table_customer_names");
    assertThat(first.flows())
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactly(
            tuple("orders", FlowState.COMPLETED), tuple("orders_clean", FlowState.COMPLETED),
            tuple("big_orders", FlowState.COMPLETED), tuple("customers", FlowState.COMPLETED),
            tuple("totals", FlowState.COMPLETED), tuple("customer_names", FlowState.COMPLETED));
    assertThat(executor.submissions()).allMatch(s -> s.restoreFrom().isEmpty());
    // each job reports caught up under a run id of its own: jobs side by side may read the same
    // source
    assertThat(executor.submissions())
        .extracting(FakeExecutor.Submitted::runId)
        .doesNotHaveDuplicates();
    assertThat(executor.submissions())
        .allSatisfy(s -> assertThat(s.runId()).startsWith(s.job() + "@"));
    // the inferred schema of customers was stored once the update held the lock
    assertThat(dir.resolve("storage/_tributary/schemas/customers/schema.json")).exists();

    UpdateResult second = builder().run();

    assertThat(second.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(second.number()).isEqualTo(first.number() + 1);
    assertThat(analyses).hasValue(2);
    // each streaming job restores the savepoint its previous run was stopped with
    assertThat(executor.submissions().subList(4, 6))
        .extracting(s -> s.restoreFrom().orElseThrow())
        .containsExactlyElementsOf(executor.savepoints().subList(0, 2));
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    assertThat(
            Files.readString(
                Path.of(storage.updatesDir().replaceFirst("^file:", ""), "000002.json")))
        .contains(
            "\"state\" : \"COMPLETED\"",
            "\"dataset\" : \"big_orders\"",
            "\"job\" : \"stream_orders\"");
  }

  @Test
  void aFailedFlowRunsAgainInProductionModeAndTheUpdateCompletes() throws Exception {
    executor.script(
        "stream_orders", Run.fails(new IllegalStateException("disk full")), Run.works());

    RunningUpdate update = builder().development(false).retries(2, Duration.ofMillis(10)).start();
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(executor.jobs())
        .containsExactly(
            "stream_orders",
            "stream_orders",
            "stream_customers",
            "table_totals",
            "table_customer_names");
    assertThat(executor.submissions().get(1).runId())
        .isEqualTo(executor.submissions().get(0).runId() + "#2");
    assertThat(update.events())
        .filteredOn(e -> e.dataset().equals("orders_clean"))
        .extracting(FlowEvent::state, FlowEvent::detail)
        .containsSubsequence(
            tuple(FlowState.RUNNING, ""),
            tuple(FlowState.FAILED, "attempt 1 of 3 failed: disk full; retrying in 10 ms"),
            tuple(FlowState.STARTING, "retry 1 of 2"),
            tuple(FlowState.RUNNING, ""),
            tuple(FlowState.COMPLETED, ""));
  }

  @Test
  void aFailedFlowFailsFastInDevelopmentModeAndSkipsWhatReadsIt() throws Exception {
    executor.script("stream_orders", Run.fails(new IllegalStateException("disk full")));

    UpdateResult result = builder().run();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error()).hasValue("disk full");
    assertThat(executor.jobs())
        .containsExactly("stream_orders", "stream_customers", "table_customer_names");
    assertThat(result.flows())
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactly(
            tuple("orders", FlowState.FAILED), tuple("orders_clean", FlowState.FAILED),
            tuple("big_orders", FlowState.FAILED), tuple("customers", FlowState.COMPLETED),
            tuple("totals", FlowState.SKIPPED), tuple("customer_names", FlowState.COMPLETED));
  }

  @Test
  void aStopStopsTheRunningJobWithASavepointAndStartsNoOther() throws Exception {
    executor.script("stream_orders", Run.runsUntilStopped());

    RunningUpdate update = builder().start();
    assertThat(executor.firstRunningUntilStopped().get(60, TimeUnit.SECONDS))
        .isEqualTo("stream_orders");
    update.stop();
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.STOPPED);
    assertThat(executor.jobs()).containsExactly("stream_orders");
    assertThat(executor.savepoints()).hasSize(1);
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    assertThat(storage.currentSavepoint("stream_orders")).hasValue(executor.savepoints().get(0));
    assertThat(result.flows())
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactly(
            tuple("orders", FlowState.STOPPED), tuple("orders_clean", FlowState.STOPPED),
            tuple("big_orders", FlowState.STOPPED), tuple("customers", FlowState.STOPPED),
            tuple("totals", FlowState.STOPPED), tuple("customer_names", FlowState.STOPPED));
    assertThat(update.events())
        .filteredOn(e -> e.dataset().equals("customers"))
        .extracting(FlowEvent::state, FlowEvent::detail)
        .contains(tuple(FlowState.STOPPED, "the update was stopped before this flow started"));
  }

  @Test
  void aFlowStoppedForNewColumnsRestartsWithThePipelineAnalyzedAgainInProductionMode()
      throws Exception {
    executor.script(
        "stream_customers",
        Run.fails(
            SchemaEvolutions.evolved(
                "customers-source", "part-2.json", List.of("city"), "/schemas/customers")));

    RunningUpdate update = builder().development(false).start();
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(analyses).hasValue(2);
    assertThat(executor.jobs())
        .containsExactly(
            "stream_orders",
            "stream_customers",
            "stream_customers",
            "table_totals",
            "table_customer_names");
    assertThat(executor.submissions().get(2).runId()).endsWith("#schema1");
    assertThat(update.events())
        .filteredOn(e -> e.dataset().equals("customers"))
        .extracting(FlowEvent::state, FlowEvent::detail)
        .containsSubsequence(
            tuple(
                FlowState.FAILED,
                "Flow 'customers': Auto Loader found new columns [city] in file part-2.json and"
                    + " added them to the schema stored under '/schemas/customers'. Restarting the flow with the"
                    + " evolved schema."),
            tuple(FlowState.STARTING, "restart with the evolved schema"),
            tuple(FlowState.COMPLETED, ""));
  }

  @Test
  void aFlowStoppedForNewColumnsFailsInDevelopmentModeWithoutAnotherAnalysis() throws Exception {
    executor.script(
        "stream_customers",
        Run.fails(
            SchemaEvolutions.evolved(
                "customers-source", "part-2.json", List.of("city"), "/schemas/customers")));

    UpdateResult result = builder().run();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(analyses).hasValue(1);
    assertThat(executor.jobs()).containsExactly("stream_orders", "stream_customers");
    assertThat(result.flow("customer_names").orElseThrow().state()).isEqualTo(FlowState.SKIPPED);
    assertThat(result.flow("customers").orElseThrow().error().orElseThrow())
        .startsWith(
            "Flow 'customers': Auto Loader found new columns [city] in file part-2.json and added them to the schema"
                + " stored under '/schemas/customers'. The flow stopped; the next update reads the file again");
  }

  @Test
  void aContinuousUpdateRunsEveryStreamingJobAtOnceUntilAStopSavesEachOne() throws Exception {
    executor.script("stream_customers", Run.runsUntilStopped());

    RunningUpdate update =
        builder().continuous(true).triggerInterval(Duration.ofMillis(200)).start();
    assertThat(executor.firstRunningUntilStopped().get(60, TimeUnit.SECONDS))
        .isEqualTo("stream_customers");
    update.stop();
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.STOPPED);
    assertThat(executor.jobs()).containsExactly("stream_orders", "stream_customers");
    assertThat(executor.savepoints()).hasSize(2);
    assertThat(result.flow("orders").orElseThrow().state()).isEqualTo(FlowState.STOPPED);
    assertThat(result.flow("customers").orElseThrow().state()).isEqualTo(FlowState.STOPPED);
    assertThat(analyses).hasValue(1);
  }

  @Test
  void sideBySideAJobStartsOnceEveryJobItReadsHasEnded() throws Exception {
    CompletableFuture<Void> ordersDone = new CompletableFuture<>();
    CompletableFuture<Void> customersDone = new CompletableFuture<>();
    executor
        .slots(4)
        .script("stream_orders", Run.worksWhen(ordersDone))
        .script("stream_customers", Run.worksWhen(customersDone));

    RunningUpdate update = builder().start();
    // started side by side, each translated on its own thread: submitted in either order
    Await.until(
        "both streaming jobs running",
        WAIT,
        () -> Set.copyOf(executor.running()).equals(Set.of("stream_orders", "stream_customers")));
    customersDone.complete(null);
    // customer_names reads customers only; totals reads orders_clean too, whose job still runs
    Await.until(
        "customer_names submitted", WAIT, () -> executor.jobs().contains("table_customer_names"));
    assertThat(executor.jobs().subList(0, 2))
        .containsExactlyInAnyOrder("stream_orders", "stream_customers");
    assertThat(executor.jobs().subList(2, executor.jobs().size()))
        .containsExactly("table_customer_names");
    assertThat(executor.running()).contains("stream_orders");
    ordersDone.complete(null);
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(executor.jobs().subList(0, 2))
        .containsExactlyInAnyOrder("stream_orders", "stream_customers");
    assertThat(executor.jobs().subList(2, 4))
        .containsExactly("table_customer_names", "table_totals");
    assertThat(executor.mostRunning()).isEqualTo(2);
    // reported in the plan's order, whatever order the jobs ended in
    assertThat(result.flows())
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactly(
            tuple("orders", FlowState.COMPLETED), tuple("orders_clean", FlowState.COMPLETED),
            tuple("big_orders", FlowState.COMPLETED), tuple("customers", FlowState.COMPLETED),
            tuple("totals", FlowState.COMPLETED), tuple("customer_names", FlowState.COMPLETED));
    // each job's events keep their sequence
    assertThat(update.events())
        .filteredOn(e -> e.dataset().equals("totals"))
        .extracting(FlowEvent::state)
        .containsSubsequence(
            FlowState.QUEUED, FlowState.STARTING, FlowState.RUNNING, FlowState.COMPLETED);
  }

  @Test
  void sideBySideNoMoreJobsRunThanTheSlotsHold() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in/abc"));
    Map<String, CompletableFuture<Void>> done = new java.util.HashMap<>();
    for (String name : List.of("a", "b", "c")) {
      done.put(name, new CompletableFuture<>());
      executor.script("stream_" + name, Run.worksWhen(done.get(name)));
    }
    executor.slots(2);

    RunningUpdate update =
        Tributary.pipeline(new Three())
            .name("three")
            .storage(dir.resolve("storage3").toString())
            .configuration(Map.of("a", in.toString(), "b", in.toString(), "c", in.toString()))
            .parallelism(1)
            .executor(executor)
            .start();
    Await.until("two jobs running", WAIT, () -> executor.running().size() == 2);
    Thread.sleep(300); // time for a third job to start if the bound were not kept
    assertThat(executor.jobs()).containsExactlyInAnyOrder("stream_a", "stream_b");
    done.get("b").complete(null);
    Await.until(
        "stream_c started in the freed slot", WAIT, () -> executor.jobs().contains("stream_c"));
    assertThat(executor.running()).containsExactly("stream_a", "stream_c");
    assertThat(executor.jobs()).hasSize(3);
    done.get("a").complete(null);
    done.get("c").complete(null);
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(executor.jobs().subList(0, 2)).containsExactlyInAnyOrder("stream_a", "stream_b");
    assertThat(executor.jobs().subList(2, 4)).containsExactly("stream_c", "table_abc");
    assertThat(executor.mostRunning()).isEqualTo(2);
  }

  @Test
  void sideBySideAFailureSkipsOnlyTheJobsThatReadIt() throws Exception {
    CompletableFuture<Void> ordersFail = new CompletableFuture<>();
    CompletableFuture<Void> customersDone = new CompletableFuture<>();
    executor
        .slots(4)
        .script("stream_orders", Run.failsWhen(ordersFail, new IllegalStateException("disk full")))
        .script("stream_customers", Run.worksWhen(customersDone));

    RunningUpdate update = builder().start();
    // started side by side, each translated on its own thread: submitted in either order
    Await.until(
        "both streaming jobs running",
        WAIT,
        () -> Set.copyOf(executor.running()).equals(Set.of("stream_orders", "stream_customers")));
    ordersFail.complete(null);
    Await.until(
        "orders failed",
        WAIT,
        () ->
            update.events().stream()
                .anyMatch(e -> e.dataset().equals("orders") && e.state() == FlowState.FAILED));
    assertThat(executor.running())
        .containsExactly("stream_customers"); // not stopped by the other's failure
    customersDone.complete(null);
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error()).hasValue("disk full");
    assertThat(executor.jobs().subList(0, 2))
        .containsExactlyInAnyOrder("stream_orders", "stream_customers");
    assertThat(executor.jobs().subList(2, executor.jobs().size()))
        .containsExactly("table_customer_names");
    assertThat(result.flows())
        .extracting(FlowResult::dataset, FlowResult::state)
        .containsExactly(
            tuple("orders", FlowState.FAILED), tuple("orders_clean", FlowState.FAILED),
            tuple("big_orders", FlowState.FAILED), tuple("customers", FlowState.COMPLETED),
            tuple("totals", FlowState.SKIPPED), tuple("customer_names", FlowState.COMPLETED));
    assertThat(result.flow("totals").orElseThrow().error())
        .hasValue("an upstream flow failed (job stream_orders)");
  }

  @Test
  void sideBySideTheRunningRecordNamesEveryRunningJobWithItsFlinkJobId() throws Exception {
    CompletableFuture<Void> ordersDone = new CompletableFuture<>();
    CompletableFuture<Void> customersDone = new CompletableFuture<>();
    executor
        .slots(4)
        .script("stream_orders", Run.worksWhen(ordersDone))
        .script("stream_customers", Run.worksWhen(customersDone));

    RunningUpdate update = builder().start();
    Await.until(
        "both streaming jobs running",
        WAIT,
        () -> Set.copyOf(executor.running()).equals(Set.of("stream_orders", "stream_customers")));
    // what a killed client leaves behind: the RUNNING record names both jobs, each with the id it
    // runs under
    Path record = dir.resolve("storage/_tributary/updates/000001.json");
    com.fasterxml.jackson.databind.JsonNode running =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(record));
    assertThat(running.path("state").asText()).isEqualTo("RUNNING");
    Map<String, String> named = new java.util.TreeMap<>();
    running
        .path("jobs")
        .forEach(job -> named.put(job.path("job").asText(), job.path("job_id").asText()));
    Map<String, String> submitted = new java.util.TreeMap<>();
    executor.submissions().forEach(s -> submitted.put(s.job(), s.jobId()));
    assertThat(named).isEqualTo(submitted).containsOnlyKeys("stream_orders", "stream_customers");
    assertThat(named.values()).doesNotContain("");
    ordersDone.complete(null);
    customersDone.complete(null);
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    com.fasterxml.jackson.databind.JsonNode ended =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(record));
    assertThat(ended.path("state").asText()).isEqualTo("COMPLETED");
    assertThat(ended.path("jobs").findValuesAsText("job"))
        .contains("stream_orders", "stream_customers");
  }
}
