package io.tributary.dsl.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.StreamingTableBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plan's order, its {@code describe()} text, its immutability, and re-validation after analysis. */
class LogicalPlanTest {

  private static final String NL = System.lineSeparator();

  @Test
  void describeShowsEveryPartOfTheDefinition() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of("source.orders", "/in/orders", "env", "dev"),
            p -> {
              p.streamingTable("bronze_orders")
                  .comment("Raw orders")
                  .schema("order_id STRING, amount DECIMAL(10, 2)")
                  .tableProperty("quality", "bronze")
                  .tableProperty("owner", "sales")
                  .partitionBy("order_date")
                  .from(
                      AutoLoader.json(p.conf("source.orders", "/data/orders"))
                          .option("multiLine", "false"));
              p.streamingTable("silver_orders")
                  .from("bronze_orders")
                  .dropDuplicates("order_id")
                  .expectOrFail("valid_id", "order_id IS NOT NULL")
                  .expectAll(Map.of("b_positive", "amount > 0", "a_small", "amount < 1000"));
              p.view("_tmp_big")
                  .sql(
                      """
          SELECT *
          FROM   STREAM(silver_orders)
          WHERE  amount > 100
          """);
              p.createStreamingTable("orders_scd2");
              p.applyChanges("orders_scd2")
                  .from("silver_orders")
                  .keys("order_id")
                  .sequenceBy("updated_at", "seq")
                  .storedAsScdType(2)
                  .applyAsDeletes("op = 'D'")
                  .columnList("order_id", "amount")
                  .ignoreNullUpdates(true)
                  .trackHistoryExceptColumnList("seq");
            });

    assertThat(plan.describe())
        .isEqualTo(
            """
        pipeline shop
          conf env=dev
          conf source.orders=/in/orders
          streaming table bronze_orders
            comment Raw orders
            schema order_id STRING, amount DECIMAL(10, 2)
            from AutoLoader json /in/orders multiLine=false
            partition by [order_date]
            property owner=sales
            property quality=bronze
          streaming table silver_orders
            from STREAM(bronze_orders)
            drop duplicates [order_id]
            expect_or_fail valid_id: order_id IS NOT NULL
            expect a_small: amount < 1000
            expect b_positive: amount > 0
            reads STREAM(bronze_orders)
          view _tmp_big
            sql SELECT * FROM STREAM(silver_orders) WHERE amount > 100
          streaming table orders_scd2 (flow target)
            reads STREAM(silver_orders)
            apply changes into orders_scd2
              from STREAM(silver_orders)
              keys [order_id] sequence by [updated_at, seq] scd type 2
              apply as deletes op = 'D'
              columns [order_id, amount]
              ignore null updates
              track history except [seq]
        """);
    assertThat(plan.toString()).isEqualTo(plan.describe());
  }

  @Test
  void datasetsAreOrderedTopologicallyWithTiesInDeclarationOrder() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.table("gold").from("silver");
              p.streamingTable("silver").from("bronze");
              p.streamingTable("other").from(AutoLoader.csv("/data/other"));
              p.streamingTable("bronze").from(AutoLoader.json("/data/bronze"));
              p.view("report").from("other");
            });

    // Each step takes the earliest-declared dataset whose inputs are placed: other (before bronze),
    // then bronze (before report), silver (before report), gold (declared first of all), and report
    // last.
    assertThat(names(plan)).containsExactly("other", "bronze", "silver", "gold", "report");
    assertThat(plan.readersOf("silver")).containsExactly("gold");
    assertThat(plan.inputsOf("silver")).containsExactly(Input.stream("bronze"));
    assertThat(plan.inputsOf("gold")).containsExactly(Input.snapshot("silver"));
    assertThat(plan.inputsOf("bronze")).isEmpty();
  }

  @Test
  void flowsFollowThePlanOrderAndSkipViews() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.createStreamingTable("customers");
              p.applyChanges("customers").from("raw").keys("id").sequenceBy("ts");
              p.view("raw").from("bronze");
              p.streamingTable("bronze").from(AutoLoader.json("/data/cdc"));
            });

    assertThat(names(plan)).containsExactly("bronze", "raw", "customers");
    assertThat(plan.flows())
        .extracting(Flow::name, f -> f.getClass().getSimpleName())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bronze", "QueryFlow"),
            org.assertj.core.groups.Tuple.tuple("customers", "ApplyChangesFlow"));
  }

  @Test
  void describeDoesNotDependOnTheOrderOfPropertiesOrConfiguration() {
    Map<String, String> conf = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      conf.put("key" + i, "v" + i);
    }
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(conf.keySet());
    java.util.Collections.reverse(keys);
    keys.forEach(k -> reversed.put(k, conf.get(k)));
    PipelineDefinition ab =
        p ->
            p.streamingTable("t")
                .from(AutoLoader.json("/d").option("a", "1").option("b", "2"))
                .tableProperty("x", "1")
                .tableProperty("y", "2");
    PipelineDefinition ba =
        p ->
            p.streamingTable("t")
                .from(AutoLoader.json("/d").option("b", "2").option("a", "1"))
                .tableProperty("y", "2")
                .tableProperty("x", "1");

    String first = Pipeline.plan("shop", conf, ab).describe();
    assertThat(Pipeline.plan("shop", reversed, ba).describe()).isEqualTo(first);
    assertThat(first)
        .contains("  conf key0=v0\n  conf key1=v1\n  conf key10=v10\n")
        .contains("from AutoLoader json /d a=1 b=2\n    property x=1\n    property y=2\n");
  }

  @Test
  void specsAreImmutableCopies() {
    List<String> keys = new ArrayList<>(List.of("order_id"));
    DatasetSpec spec =
        DatasetSpec.of("orders", DatasetKind.STREAMING_TABLE, false).withDropDuplicates(keys);
    keys.add("customer_id");
    assertThat(spec.dropDuplicatesKeys()).containsExactly("order_id");

    DatasetSpec commented =
        spec.withComment("raw")
            .withProperty("quality", "bronze")
            .withExpectation(
                new Expectation("valid", "order_id IS NOT NULL", ExpectationAction.DROP));
    assertThat(spec.comment()).isEmpty();
    assertThat(spec.properties()).isEmpty();
    assertThat(spec.expectations()).isEmpty();
    assertThat(commented.comment()).contains("raw");
    assertThatThrownBy(() -> commented.properties().put("a", "b"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> commented.expectations().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> commented.queries().add(new Query.SqlQuery("SELECT 1")))
        .isInstanceOf(UnsupportedOperationException.class);

    List<String> columns = new ArrayList<>(List.of("name"));
    ApplyChangesSpec flow = ApplyChangesSpec.into("customers").withTrackHistoryColumnList(columns);
    columns.clear();
    assertThat(flow.trackHistoryColumnList()).containsExactly("name");
    assertThat(flow.withScdType(2).scdType()).isEqualTo(2);
    assertThat(flow.scdType()).isEqualTo(1);
    assertThat(flow.source()).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> flow.keys().add("id"))
        .isInstanceOf(UnsupportedOperationException.class);

    AutoLoader loader = AutoLoader.csv("/data");
    assertThat(loader.option("header", "true").options()).containsEntry("header", "true");
    assertThat(loader.options()).isEmpty();
  }

  @Test
  void planIsImmutableAndUnaffectedByLaterDslCalls() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("raw").from(AutoLoader.json("/data/cdc"));
    p.createStreamingTable("customers");
    p.applyChanges("customers").from("raw").keys("id").sequenceBy("ts");
    StreamingTableBuilder raw = p.streamingTable("orders").from(AutoLoader.json("/data/orders"));
    LogicalPlan plan = p.build();
    String before = plan.describe();

    raw.comment("changed after build").expect("valid", "id IS NOT NULL");
    p.view("later").from("orders");

    assertThat(plan.describe()).isEqualTo(before);
    assertThat(p.build().describe()).isNotEqualTo(before);
    assertThatThrownBy(() -> plan.datasets().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plan.applyChanges().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plan.inputsOf("customers").clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plan.configuration().put("k", "v"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void withResolvedInputsReordersAndKeepsTheOriginalPlan() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.table("gold").sql("SELECT * FROM silver");
              p.streamingTable("silver").query(ctx -> ctx.readStream("bronze"));
              p.streamingTable("bronze").from(AutoLoader.json("/data"));
            });
    assertThat(names(plan)).containsExactly("gold", "silver", "bronze");

    LogicalPlan resolved =
        plan.withResolvedInputs(
            Map.of(
                "gold", List.of(Input.snapshot("silver"), Input.snapshot("silver")),
                "silver", List.of(Input.stream("bronze"))));

    assertThat(names(resolved)).containsExactly("bronze", "silver", "gold");
    assertThat(resolved.inputsOf("gold")).containsExactly(Input.snapshot("silver"));
    assertThat(resolved.describe())
        .contains("  table gold\n    sql SELECT * FROM silver\n    reads silver\n");
    assertThat(names(plan)).containsExactly("gold", "silver", "bronze");
    assertThat(plan.inputsOf("gold")).isEmpty();
  }

  @Test
  void withResolvedInputsBreaksTiesByDeclarationOrderNotByThePreviousPlan() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.table("x").from("z");
              p.table("y").sql("SELECT * FROM z");
              p.streamingTable("z").from(AutoLoader.json("/data"));
            });
    assertThat(names(plan)).containsExactly("y", "z", "x");

    LogicalPlan resolved = plan.withResolvedInputs(Map.of("y", List.of(Input.snapshot("z"))));

    // x and y are both ready after z: x was declared first.
    assertThat(names(resolved)).containsExactly("z", "x", "y");
    assertThat(
            Pipeline.plan(
                    "shop",
                    Map.of(),
                    p -> {
                      p.table("x").from("z");
                      p.table("y").from("z");
                      p.streamingTable("z").from(AutoLoader.json("/data"));
                    })
                .datasets())
        .extracting(DatasetSpec::name)
        .containsExactly("z", "x", "y");
  }

  @Test
  void withResolvedInputsReportsUndefinedInputsWithTheCallThatNamedThem() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.streamingTable("bronze").from(AutoLoader.json("/data"));
              p.streamingTable("silver").query(ctx -> ctx.readStream("bronz"));
              p.table("gold").sql("SELECT * FROM silvr");
            });

    Map<String, List<Input>> resolved = new LinkedHashMap<>();
    resolved.put("gold", List.of(Input.snapshot("silvr")));
    resolved.put("silver", List.of(Input.stream("bronz")));
    assertProblems(
        () -> plan.withResolvedInputs(resolved),
        "Dataset 'silver': input 'bronz' is not defined. Defined datasets: [bronze, gold, silver]. Check the name"
            + " passed to ctx.read(), ctx.readStream() or ctx.lookupJoin().",
        "Dataset 'gold': input 'silvr' is not defined. Defined datasets: [bronze, gold, silver]. Check the name"
            + " passed to sql().");
  }

  @Test
  void withResolvedInputsRejectsAStreamReadOfAMaterializedTable() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.table("totals").from(AutoLoader.json("/data"));
              p.streamingTable("feed").sql("SELECT * FROM STREAM(totals)");
            });

    assertProblems(
        () -> plan.withResolvedInputs(Map.of("feed", List.of(Input.stream("totals")))),
        "Dataset 'feed' reads table 'totals' as a stream, but 'totals' is a materialized table, recomputed on every"
            + " update, so it has no stream of new rows. Read it as a snapshot (from(…) on a table or view,"
            + " ctx.read(…)), or make 'totals' a streaming table.");
  }

  @Test
  void withResolvedInputsFindsCyclesThroughQueries() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.view("a").sql("SELECT * FROM b");
              p.view("b").from("a");
            });

    assertProblems(
        () -> plan.withResolvedInputs(Map.of("a", List.of(Input.snapshot("b")))),
        "Datasets form a cycle: a -> b -> a. A dataset cannot read itself, directly or through other datasets:"
            + " remove one of these reads.");
  }

  @Test
  void withResolvedInputsRejectsAnUnknownDatasetAsABug() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop", Map.of(), p -> p.streamingTable("bronze").from(AutoLoader.json("/d")));

    assertThatThrownBy(() -> plan.withResolvedInputs(Map.of("silver", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a dataset of pipeline shop: silver");
  }

  private static List<String> names(LogicalPlan plan) {
    return plan.datasets().stream().map(DatasetSpec::name).toList();
  }

  private static void assertProblems(Runnable call, String... problems) {
    Throwable thrown = catchThrowable(call::run);

    assertThat(thrown).isInstanceOf(PipelineDefinitionException.class);
    StringBuilder expected =
        new StringBuilder("Pipeline 'shop' has ")
            .append(problems.length)
            .append(problems.length == 1 ? " problem:" : " problems:");
    for (int i = 0; i < problems.length; i++) {
      expected.append(NL).append("  ").append(i + 1).append(". ").append(problems[i]);
    }
    assertThat(thrown.getMessage()).isEqualTo(expected.toString());
  }
}
