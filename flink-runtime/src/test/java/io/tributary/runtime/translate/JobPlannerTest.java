package io.tributary.runtime.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobPlannerTest {

  @Test
  void streamingTablesConnectedByStreamReadsShareAJobAndTablesRunAfterTheirInputs() {
    Pipeline p = Pipeline.create("medallion", Map.of());
    p.table("gold").from("silver_orders");
    p.streamingTable("bronze_orders").from(AutoLoader.json("/orders"));
    p.streamingTable("silver_orders").from("bronze_orders");
    p.streamingTable("bronze_customers").from(AutoLoader.csv("/customers"));
    p.streamingTable("silver_customers").from("bronze_customers");

    List<PlannedJob> jobs = JobPlanner.plan(p.build());

    assertThat(jobs)
        .containsExactly(
            new PlannedJob(
                "stream_bronze_orders",
                PlannedJob.Mode.STREAMING,
                List.of("bronze_orders", "silver_orders"),
                Set.of()),
            new PlannedJob(
                "table_gold",
                PlannedJob.Mode.BATCH,
                List.of("gold"),
                Set.of("stream_bronze_orders")),
            new PlannedJob(
                "stream_bronze_customers",
                PlannedJob.Mode.STREAMING,
                List.of("bronze_customers", "silver_customers"),
                Set.of()));
  }

  @Test
  void aStreamReadThroughAViewJoinsTheJobAndASnapshotReadOrdersIt() {
    Pipeline p = Pipeline.create("views", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/events"));
    p.table("dim").from(AutoLoader.csv("/users"));
    p.view("_enriched").query(ctx -> ctx.readStream("bronze"));
    p.streamingTable("silver").query(ctx -> ctx.readStream("_enriched"));
    LogicalPlan plan =
        p.build()
            .withResolvedInputs(
                Map.of(
                    "_enriched", List.of(Input.stream("bronze"), Input.snapshot("dim")),
                    "silver", List.of(Input.stream("_enriched"))));

    List<PlannedJob> jobs = JobPlanner.plan(plan);

    assertThat(jobs)
        .containsExactly(
            new PlannedJob("table_dim", PlannedJob.Mode.BATCH, List.of("dim"), Set.of()),
            new PlannedJob(
                "stream_bronze",
                PlannedJob.Mode.STREAMING,
                List.of("bronze", "silver"),
                Set.of("table_dim")));
  }

  @Test
  void aLookupOrdersTheJobsButNeverJoinsTheLookedUpTablesJob() {
    Pipeline p = Pipeline.create("mixed", Map.of());
    p.streamingTable("enriched").query(ctx -> ctx.readStream("events"));
    p.streamingTable("events").from(AutoLoader.json("/events"));
    p.streamingTable("users").from(AutoLoader.csv("/users"));
    p.table("products").from(AutoLoader.csv("/products"));
    LogicalPlan plan =
        p.build()
            .withResolvedInputs(
                Map.of(
                    "enriched",
                    List.of(
                        Input.stream("events"), Input.lookup("users"), Input.lookup("products"))));

    List<PlannedJob> jobs = JobPlanner.plan(plan);

    assertThat(jobs)
        .containsExactly(
            new PlannedJob("stream_users", PlannedJob.Mode.STREAMING, List.of("users"), Set.of()),
            new PlannedJob("table_products", PlannedJob.Mode.BATCH, List.of("products"), Set.of()),
            new PlannedJob(
                "stream_events",
                PlannedJob.Mode.STREAMING,
                List.of("events", "enriched"),
                Set.of("stream_users", "table_products")));
  }

  @Test
  void appendFlowsRunInTheirTargetsJobAndAOnceFlowIsAJobThatItsTargetsReadersWaitFor() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    p.streamingTable("eu_events").from(AutoLoader.json("/eu"));
    p.appendFlow("from_us").target("all_events").from(AutoLoader.json("/us"));
    p.appendFlow("from_eu").target("all_events").from("eu_events");
    p.table("history").from(AutoLoader.json("/history"));
    p.appendFlow("backfill").target("all_events").from("history").once();
    p.table("summary").from("all_events");

    List<PlannedJob> jobs = JobPlanner.plan(p.build());

    assertThat(jobs)
        .containsExactly(
            new PlannedJob("table_history", PlannedJob.Mode.BATCH, List.of("history"), Set.of()),
            new PlannedJob(
                "stream_eu_events",
                PlannedJob.Mode.STREAMING,
                List.of("eu_events", "all_events"),
                Set.of("table_history"),
                List.of("from_us", "from_eu"),
                false),
            new PlannedJob(
                "once_backfill",
                PlannedJob.Mode.STREAMING,
                List.of("backfill"),
                Set.of("table_history"),
                List.of("backfill"),
                true),
            new PlannedJob(
                "table_summary",
                PlannedJob.Mode.BATCH,
                List.of("summary"),
                Set.of("stream_eu_events", "once_backfill"),
                List.of(),
                false));
  }
}
