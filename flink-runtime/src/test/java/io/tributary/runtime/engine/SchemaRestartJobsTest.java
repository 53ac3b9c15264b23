package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.analysis.ResolvedPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * Which jobs restart when a source's new columns make the pipeline be analyzed again within an
 * update: those whose tables or flows, or the datasets they read (through views), changed row type,
 * in dependency order; a job that reads none of them keeps running.
 */
class SchemaRestartJobsTest {

  /**
   * orders → orders_clean (one streaming job) → customers (a materialized table) ← the view _customers,
   * read by clicks_by_customer in clicks' streaming job; visits is a streaming job of its own.
   */
  private static LogicalPlan shop() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("orders").from(AutoLoader.json("/orders"));
    p.streamingTable("orders_clean").from("orders");
    p.table("customers").from("orders_clean");
    p.view("_customers").query(ctx -> ctx.read("customers"));
    p.streamingTable("clicks").from(AutoLoader.json("/clicks"));
    p.streamingTable("clicks_by_customer").query(ctx -> ctx.readStream("clicks"));
    p.streamingTable("visits").from(AutoLoader.json("/visits"));
    return p.build()
        .withResolvedInputs(
            Map.of(
                "_customers", List.of(Input.snapshot("customers")),
                "clicks_by_customer",
                    List.of(Input.stream("clicks"), Input.snapshot("_customers"))));
  }

  private static final RowType ID = RowType.of(new VarCharType(VarCharType.MAX_LENGTH));
  private static final RowType ID_CITY =
      RowType.of(new VarCharType(VarCharType.MAX_LENGTH), new VarCharType(VarCharType.MAX_LENGTH));

  /** Every dataset with the row type ID, but {@code widened} with ID_CITY. */
  private static ResolvedPlan analyzed(LogicalPlan plan, Set<String> widened) {
    Map<String, RowType> schemas = new HashMap<>();
    plan.datasets().forEach(d -> schemas.put(d.name(), widened.contains(d.name()) ? ID_CITY : ID));
    return new ResolvedPlan(plan, schemas);
  }

  @Test
  void aNewColumnRestartsTheJobsThatWriteOrReadTheWidenedDatasetsInDependencyOrder() {
    LogicalPlan plan = shop();
    ResolvedPlan before = analyzed(plan, Set.of());
    // orders met a column; clicks_by_customer selects named columns of _customers, so its own type
    // is kept
    ResolvedPlan after =
        analyzed(plan, Set.of("orders", "orders_clean", "customers", "_customers"));

    assertThat(SchemaRestarts.changedJobs(before, after))
        .containsExactly("stream_orders", "table_customers", "stream_clicks");
  }

  @Test
  void aNewColumnOfAnotherSourceRestartsOnlyItsOwnJob() {
    LogicalPlan plan = shop();

    assertThat(
            SchemaRestarts.changedJobs(analyzed(plan, Set.of()), analyzed(plan, Set.of("visits"))))
        .containsExactly("stream_visits");
    assertThat(SchemaRestarts.changedJobs(analyzed(plan, Set.of()), analyzed(plan, Set.of())))
        .isEmpty();
  }
}
