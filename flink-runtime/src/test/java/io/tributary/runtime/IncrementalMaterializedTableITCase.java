package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.RefreshSelection;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.testing.SeededRandom;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A materialized table the planner can maintain incrementally (DLT's Enzyme), run as users run it:
 * updates with new files, some of them late (older timestamps than rows already read), each result
 * equal to a complete recompute of the same query; a changed definition and a full refresh recompute
 * once, and the event log says which technique each update used and why.
 */
class IncrementalMaterializedTableITCase {

  private static final String GOLD =
      "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total,"
          + " AVG(amount) AS mean, MIN(amount) AS low, MAX(amount) AS high, COUNT(DISTINCT product) AS products"
          + " FROM silver WHERE amount > %s GROUP BY customer_id HAVING COUNT(*) < %d";

  /** 3 slots: the continuous case runs silver's and gold's streaming jobs and gold_full's BATCH job at once. */
  @RegisterExtension
  static final TributaryClusterExtension CLUSTER =
      new TributaryClusterExtension(3, new org.apache.flink.configuration.Configuration());

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** silver (Auto Loader) -> gold (incremental) and gold_full (the same rows, recomputed: ORDER BY ... LIMIT). */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      String gold =
          String.format(
              GOLD, p.conf("min_amount", "0"), Integer.parseInt(p.conf("max_orders", "40")));
      p.streamingTable("silver")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema(
                      "order_id STRING, customer_id STRING, product STRING, amount DOUBLE, ts BIGINT"));
      p.table("gold").sql(gold);
      p.table("gold_full").sql(gold + " ORDER BY customer_id LIMIT 1000");
    }
  }

  private record Order(String id, String customer, String product, double amount, long ts) {}

  private final List<Order> orders = new ArrayList<>();
  private int files;

  @Test
  void eachUpdateEqualsACompleteRecomputeLateRowsIncluded() throws Exception {
    for (int update = 1; update <= 6; update++) {
      addFiles(
          1 + random.get().nextInt(3),
          20 + random.get().nextInt(60),
          update > 1 && update % 2 == 0);

      assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);

      assertEqualsRecompute("update " + update, 0.0, 40);
      assertThat(planning(update))
          .isEqualTo(
              update == 1
                  ? "COMPLETE_RECOMPUTE: it has no saved state to continue from (its first incremental update, or a full"
                      + " refresh): its query runs over every row of its inputs and replaces the table"
                  : "INCREMENTAL: the planner derives the upsert key [customer_id] and every operator of the query"
                      + " maintains its result from new input rows");
    }
    assertThat(planningOf("gold_full", 6))
        .isEqualTo(
            "COMPLETE_RECOMPUTE: its plan has a sort-limit operator,"
                + " which cannot be maintained from new rows alone");
  }

  @Test
  void aChangedDefinitionRecomputesOnceThenIsIncrementalAgain() throws Exception {
    addFiles(2, 50, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, true);

    assertThat(update(Map.of("min_amount", "100.0", "max_orders", "30"), false).state())
        .isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("changed definition", 100.0, 30);
    assertThat(planning(2)).startsWith("COMPLETE_RECOMPUTE: its definition changed (");
    addFiles(1, 30, true);
    assertThat(update(Map.of("min_amount", "100.0", "max_orders", "30"), false).state())
        .isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("after the changed definition", 100.0, 30);
    assertThat(planning(3)).startsWith("INCREMENTAL: ");
  }

  /**
   * A table whose state was kept by the plain GroupAggregate of the versions before mini-batch
   * aggregation (the same plan and state fingerprint as here with {@code table.exec.mini-batch.enabled}
   * off) is recomputed once, saying why, when its job aggregates in mini-batches (the default), then
   * incremental again; turning mini-batches off again does the same the other way. Flink cannot map
   * the one plan's savepoint onto the other's operators.
   */
  @Test
  void stateOfAnotherAggregationPlanRecomputesOnceThenIsIncrementalAgain() throws Exception {
    Map<String, String> plain = Map.of("table.exec.mini-batch.enabled", "false");
    Map<String, String> batched = Map.of("table.exec.mini-batch.enabled", "true");
    addFiles(2, 50, false);
    assertThat(update(plain).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, true);
    assertThat(update(plain).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("plain group aggregate", 0.0, 40);
    assertThat(planning(2)).startsWith("INCREMENTAL: ");
    addFiles(1, 30, true);

    assertThat(update(batched).state()).isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("mini-batches after the plain group aggregate", 0.0, 40);
    assertThat(planning(3))
        .isEqualTo(
            "COMPLETE_RECOMPUTE: its state was kept by another aggregation plan (was"
                + " plain group aggregate, now mini-batch, AUTO phase), which Flink cannot restore into this one: its state"
                + " is dropped and its query runs over every row of its inputs and replaces the table");
    addFiles(1, 30, false);
    assertThat(update(batched).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("mini-batches", 0.0, 40);
    assertThat(planning(4)).startsWith("INCREMENTAL: ");
    addFiles(1, 30, true);
    assertThat(update(plain).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("plain group aggregate after mini-batches", 0.0, 40);
    assertThat(planning(5))
        .startsWith(
            "COMPLETE_RECOMPUTE: its state was kept by another aggregation plan (was"
                + " mini-batch, AUTO phase, now plain group aggregate)");
  }

  /**
   * gold's job reads only the columns of silver its query uses. State saved by an earlier version,
   * whose job read every column (its fingerprint names no columns), is recomputed once, saying why,
   * then gold is incremental again.
   */
  @Test
  void stateOfAJobThatReadEveryColumnRecomputesOnceThenIsIncrementalAgain() throws Exception {
    String columns = "; reads only the columns {silver=[customer_id, product, amount]}";
    addFiles(2, 50, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    String saved = storage.stateFingerprint("table_gold").orElseThrow();
    assertThat(saved).contains(columns);
    storage.setStateFingerprint("table_gold", saved.replace(columns, ""));
    addFiles(1, 30, true);

    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("after state of a job that read every column", 0.0, 40);
    assertThat(planning(2))
        .isEqualTo(
            "COMPLETE_RECOMPUTE: its state was kept by another aggregation plan (its job read every"
                + " column of its inputs, now only the columns {silver=[customer_id, product, amount]}), which Flink"
                + " cannot restore into this one: its state is dropped and its query runs over every row of its inputs"
                + " and replaces the table");
    addFiles(1, 30, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("the update after", 0.0, 40);
    assertThat(planning(3)).startsWith("INCREMENTAL: ");
  }

  @Test
  void aFullRefreshRecomputesOnce() throws Exception {
    addFiles(2, 50, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, true);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(planning(2)).startsWith("INCREMENTAL: ");

    assertThat(update(Map.of(), true).state()).isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("full refresh", 0.0, 40);
    assertThat(planning(3))
        .startsWith("COMPLETE_RECOMPUTE: it has no saved state to continue from");
    addFiles(1, 30, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("after the full refresh", 0.0, 40);
    assertThat(planning(4)).startsWith("INCREMENTAL: ");
  }

  /**
   * A full refresh of silver alone clears its table and writes it again from every file: a new Delta
   * table whose versions start at 0 again, which gold's saved stream positions do not point into.
   * gold's next update recomputes it (and says why), the one after is incremental again.
   */
  @Test
  void aFullRefreshOfAnInputAloneRecomputesOnTheNextUpdate() throws Exception {
    addFiles(2, 50, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, true);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(2, 40, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(planning(3)).startsWith("INCREMENTAL: ");

    assertThat(
            updater(Map.of())
                .selection(RefreshSelection.fullRefreshTables(Set.of("silver")))
                .run()
                .state())
        .isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("after a full refresh of silver alone", 0.0, 40);
    assertThat(planning(5))
        .startsWith("COMPLETE_RECOMPUTE: its input 'silver' was created again (Delta table id ")
        .endsWith(
            "): it was refreshed in full or replaced, so the positions its state holds no longer match that"
                + " table: its state is dropped and its query runs over every row of its inputs and replaces the table");
    addFiles(1, 30, true);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("the update after", 0.0, 40);
    assertThat(planning(6)).startsWith("INCREMENTAL: ");
  }

  /**
   * Rows deleted from silver by another writer (one commit removing its files with dataChange=true and
   * adding the rows kept, as a DELETE writes): gold's next update recomputes it, and says why.
   */
  @Test
  void rowsDeletedFromAnInputRecomputeOnTheNextUpdate() throws Exception {
    addFiles(2, 50, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    addFiles(1, 30, true);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(planning(2)).startsWith("INCREMENTAL: ");

    String silver =
        PipelineStorage.at(
                dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration())
            .tablePath("silver");
    RowType type = DeltaTableReader.schema(silver).orElseThrow();
    int customer = type.getFieldIndex("customer_id");
    String deleted = orders.get(0).customer();
    long version =
        new UpstreamDeltaTable(silver, type)
            .overwrite(
                DeltaTableReader.readAll(silver).stream()
                    .filter(row -> !deleted.equals(String.valueOf(row.getField(customer))))
                    .toArray(Row[]::new));
    orders.removeIf(o -> o.customer().equals(deleted));
    addFiles(1, 30, false);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);

    assertEqualsRecompute("after rows of " + deleted + " were deleted from silver", 0.0, 40);
    assertThat(planning(3))
        .isEqualTo(
            "COMPLETE_RECOMPUTE: its input 'silver' deleted or rewrote rows in version "
                + version
                + " (an update, delete, merge or overwrite), so the positions its state holds no longer match"
                + " that table: its state is dropped and its query runs over every row of its inputs and replaces the table");
    addFiles(1, 30, true);
    assertThat(update(Map.of(), false).state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("the update after", 0.0, 40);
    assertThat(planning(4)).startsWith("INCREMENTAL: ");
  }

  /**
   * A continuous update maintains gold incrementally too: its streaming job restores the state the
   * triggered update saved, runs beside silver's and is stopped with a savepoint, which the next
   * triggered update continues.
   */
  @Test
  void aContinuousUpdateContinuesIncrementallyAndSoDoesTheNextTriggeredUpdate() throws Exception {
    addFiles(2, 50, false);
    assertThat(updater(Map.of()).parallelism(1).run().state()).isEqualTo(UpdateState.COMPLETED);

    // parallelism 1 (Flink restores state at the parallelism it was saved with, at most): in the
    // continuous update silver's and gold's streaming jobs hold a slot each, and gold_full's BATCH
    // job takes the class's third
    RunningUpdate running = updater(Map.of()).continuous(true).parallelism(1).start();
    addFiles(1, 30, true);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      try {
        assertEqualsRecompute("continuous update", 0.0, 40);
        break;
      } catch (AssertionError | RuntimeException notYet) { // a read may race a checkpoint's files
        if (System.nanoTime() > deadline) {
          throw new AssertionError(String.valueOf(running.events()), notYet);
        }
        Thread.sleep(200);
      }
    }
    running.stop();
    assertThat(running.await().state()).isEqualTo(UpdateState.STOPPED);
    assertThat(planning(2)).startsWith("INCREMENTAL: ");

    addFiles(1, 30, false);
    UpdateResult after = updater(Map.of()).parallelism(1).run();
    assertThat(after.state()).as("%s", after.error()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("the triggered update after", 0.0, 40);
    assertThat(planning(3)).startsWith("INCREMENTAL: ");
    addFiles(1, 30, true);
    assertThat(updater(Map.of()).parallelism(1).run().state()).isEqualTo(UpdateState.COMPLETED);
    assertEqualsRecompute("the next one", 0.0, 40);
    assertThat(planning(4)).startsWith("INCREMENTAL: ");
  }

  private UpdateResult update(Map<String, String> conf, boolean fullRefresh) {
    return updater(conf).fullRefresh(fullRefresh).run();
  }

  /** A triggered update with {@code flinkOptions} as the pipeline's Flink options. */
  private UpdateResult update(Map<String, String> flinkOptions) {
    Tributary.Builder builder = updater(Map.of());
    flinkOptions.forEach(builder::flinkOption);
    return builder.run();
  }

  private Tributary.Builder updater(Map<String, String> conf) {
    Map<String, String> configuration = new TreeMap<>(conf);
    configuration.put("source", dir.resolve("orders").toString());
    return Tributary.pipeline(new Orders())
        .name("orders")
        .storage(dir.resolve("storage").toString())
        .configuration(configuration)
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(200))
        .cluster(CLUSTER.cluster());
  }

  /** gold and gold_full equal the query computed here over every order written so far. */
  private void assertEqualsRecompute(String when, double minAmount, int maxOrders) {
    Map<String, List<Order>> groups = new TreeMap<>();
    orders.stream()
        .filter(o -> o.amount() > minAmount)
        .forEach(o -> groups.computeIfAbsent(o.customer(), c -> new ArrayList<>()).add(o));
    groups.values().removeIf(g -> g.size() >= maxOrders);
    PipelineTables tables = PipelineTables.open(dir.resolve("storage").toString());
    for (String table : List.of("gold", "gold_full")) {
      Map<String, Map<String, Object>> rows = new TreeMap<>();
      tables.table(table).rowsAsMaps().forEach(r -> rows.put((String) r.get("customer_id"), r));
      assertThat(rows.keySet()).as("%s: customers of %s", when, table).isEqualTo(groups.keySet());
      groups.forEach(
          (customer, group) -> {
            Map<String, Object> row = rows.get(customer);
            double sum = group.stream().mapToDouble(Order::amount).sum();
            Set<String> products = new HashSet<>();
            group.forEach(o -> products.add(o.product()));
            String what = when + ": " + table + " of " + customer;
            assertThat(((Number) row.get("orders")).longValue()).as(what).isEqualTo(group.size());
            assertThat((Double) row.get("total")).as(what).isCloseTo(sum, within(1e-6));
            assertThat((Double) row.get("mean"))
                .as(what)
                .isCloseTo(sum / group.size(), within(1e-6));
            assertThat((Double) row.get("low"))
                .as(what)
                .isEqualTo(group.stream().mapToDouble(Order::amount).min().orElseThrow());
            assertThat((Double) row.get("high"))
                .as(what)
                .isEqualTo(group.stream().mapToDouble(Order::amount).max().orElseThrow());
            assertThat(((Number) row.get("products")).longValue())
                .as(what)
                .isEqualTo(products.size());
          });
    }
  }

  private String planning(long update) {
    return planningOf("gold", update);
  }

  /** "TECHNIQUE: reason" of {@code table}'s planning_information event in update {@code update}. */
  private String planningOf(String table, long update) {
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    List<Event> events = EventLog.of(storage).events("planning_information");
    Map<String, Long> numbers = new TreeMap<>();
    EventLog.of(storage)
        .events("create_update")
        .forEach(
            e ->
                numbers.put(
                    e.origin().updateId(),
                    e.detailsJson().path("create_update").path("update_number").asLong()));
    List<String> found = new ArrayList<>();
    for (Event e : events) {
      if (e.origin().dataset().orElse("").equals(table)
          && numbers.get(e.origin().updateId()) == update) {
        JsonNode info = e.detailsJson().path("planning_information");
        found.add(info.path("technique").asText() + ": " + info.path("reason").asText());
      }
    }
    assertThat(found).as("planning_information of %s in update %s", table, update).hasSize(1);
    return found.get(0);
  }

  /** {@code count} new files of {@code rows} orders; {@code late}: timestamps older than every row so far. */
  private void addFiles(int count, int rows, boolean late) throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    for (int f = 0; f < count; f++, files++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < rows; i++) {
        long ts = late ? random.get().nextInt(1_000) : 1_000_000 + files * 10_000L + i;
        Order o =
            new Order(
                "o" + files + "-" + i,
                "c" + random.get().nextInt(9),
                "p" + random.get().nextInt(12),
                random.get().nextInt(40_000) / 100.0,
                ts);
        orders.add(o);
        lines
            .append("{\"order_id\":\"")
            .append(o.id())
            .append("\",\"customer_id\":\"")
            .append(o.customer())
            .append("\",\"product\":\"")
            .append(o.product())
            .append("\",\"amount\":")
            .append(o.amount())
            .append(",\"ts\":")
            .append(o.ts())
            .append("}\n");
      }
      Files.writeString(input.resolve("part-" + files + ".json"), lines);
    }
  }
}
