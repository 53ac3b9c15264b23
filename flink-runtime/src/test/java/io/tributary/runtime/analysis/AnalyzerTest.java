package io.tributary.runtime.analysis;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

class AnalyzerTest {

  private static final RowType ORDERS =
      RowType.of(
          new org.apache.flink.table.types.logical.LogicalType[] {
            VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType(), new BigIntType()
          },
          new String[] {"order_id", "customer_id", "total_amount", "ts"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> ORDERS, List.of());

  @Test
  void derivesSchemasAndReadsOfLambdasAndSqlDefinedOutOfOrder() {
    Pipeline p = Pipeline.create("orders", Map.of());
    p.table("gold").sql("SELECT customer_id, COUNT(*) AS orders FROM silver GROUP BY customer_id");
    p.streamingTable("silver")
        .query(
            ctx ->
                ctx.readStream("bronze")
                    .filter($("total_amount").isGreater(0))
                    .select($("order_id"), $("customer_id"), $("total_amount")));
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.streamingTable("silver_sql")
        .sql("SELECT order_id FROM STREAM(bronze) WHERE total_amount > 0");

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.plan().datasets())
        .extracting(DatasetSpec::name)
        .containsExactly("bronze", "silver", "gold", "silver_sql");
    assertThat(resolved.plan().inputsOf("silver")).containsExactly(Input.stream("bronze"));
    assertThat(resolved.plan().inputsOf("gold")).containsExactly(Input.snapshot("silver"));
    assertThat(resolved.plan().inputsOf("silver_sql")).containsExactly(Input.stream("bronze"));
    assertThat(resolved.schema("gold").getFieldNames()).containsExactly("customer_id", "orders");
    assertThat(resolved.schema("silver").getFieldNames())
        .containsExactly("order_id", "customer_id", "total_amount");
  }

  @Test
  void reportsEveryProblemOfTheQueriesAtOnce() {
    Pipeline p = Pipeline.create("orders", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.streamingTable("counts")
        .sql("SELECT customer_id, COUNT(*) AS n FROM STREAM(bronze) GROUP BY customer_id");
    p.streamingTable("typo").query(ctx -> ctx.readStream("bronze_order"));
    p.table("bad_column").query(ctx -> ctx.read("bronze").select($("no_such_column")));
    p.table("reads_bad_column").sql("SELECT * FROM bad_column");
    p.table("reads_typo").query(ctx -> ctx.read("typo"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e -> {
              assertThat(e.problems())
                  .as("a dataset reading one that failed is not reported again")
                  .hasSize(3);
              assertThat(e.problems().get(0))
                  .startsWith("Streaming table 'counts': its query produces updates")
                  .endsWith("or make 'counts' a materialized table with p.table(\"counts\").");
              assertThat(e.problems().get(1))
                  .isEqualTo(
                      "Dataset 'typo': input 'bronze_order' is not defined."
                          + " Defined datasets: [bad_column, bronze, counts, reads_bad_column, reads_typo, typo]. Check the name"
                          + " passed to ctx.readStream().");
              assertThat(e.problems().get(2))
                  .startsWith("Dataset 'bad_column': its query is not valid:")
                  .contains("no_such_column");
            });
  }

  @Test
  void seesTheUpdatesOfAnOuterJoinHiddenInAView() {
    Pipeline p = Pipeline.create("views", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.streamingTable("returns").from(AutoLoader.json("/data/returns"));
    p.view("_enriched")
        .query(
            ctx ->
                ctx.readStream("bronze")
                    .leftOuterJoin(
                        ctx.readStream("returns").select($("order_id").as("returned_id")),
                        $("order_id").isEqual($("returned_id"))));
    p.streamingTable("silver").sql("SELECT * FROM STREAM(_enriched)");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("Streaming table 'silver': its query produces updates"));
  }

  @Test
  void derivesAnScdType2TargetFromItsSourceAndChecksItsColumns() {
    Pipeline p = Pipeline.create("cdc", Map.of());
    p.streamingTable("changes").from(AutoLoader.json("/data/changes"));
    p.createStreamingTable("orders_scd2");
    p.applyChanges("orders_scd2")
        .from("changes")
        .keys("order_id")
        .sequenceBy("ts")
        .storedAsScdType(2)
        .columnList("order_id", "total_amount", "ts");
    p.createStreamingTable("orders_scd1");
    p.applyChanges("orders_scd1").from("changes").keys("order_idd").sequenceBy("ts");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e -> assertThat(e.problems()).singleElement().asString().contains("order_idd"));

    Pipeline valid = Pipeline.create("cdc", Map.of());
    valid.streamingTable("changes").from(AutoLoader.json("/data/changes"));
    valid.createStreamingTable("orders_scd2");
    valid
        .applyChanges("orders_scd2")
        .from("changes")
        .keys("order_id")
        .sequenceBy("ts")
        .storedAsScdType(2)
        .columnList("order_id", "total_amount", "ts");
    ResolvedPlan resolved = analyzer.analyze(valid.build());
    assertThat(resolved.schema("orders_scd2").getFieldNames())
        .containsExactly("order_id", "total_amount", "ts", "__START_AT", "__END_AT");
    assertThat(resolved.plan().inputsOf("orders_scd2")).containsExactly(Input.stream("changes"));
  }

  @Test
  void aWatermarkedSourceMakesAWindowedAggregationAValidStreamingTable() {
    Analyzer eventTime =
        new Analyzer(
            (dataset, source) ->
                RowType.of(
                    new org.apache.flink.table.types.logical.LogicalType[] {
                      VarCharType.STRING_TYPE,
                      new org.apache.flink.table.types.logical.TimestampType(3)
                    },
                    new String[] {"order_id", "ts"}),
            List.of());
    Pipeline p = Pipeline.create("hourly", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/orders").withWatermark("ts", "10 minutes"));
    p.streamingTable("hourly")
        .sql(
            "SELECT window_start, COUNT(*) AS orders FROM TABLE(TUMBLE(TABLE STREAM(bronze),"
                + " DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end");
    p.streamingTable("unwindowed")
        .sql("SELECT order_id, COUNT(*) AS n FROM STREAM(bronze) GROUP BY order_id");

    assertThatThrownBy(() -> eventTime.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("Streaming table 'unwindowed': its query produces updates"));
  }

  @Test
  void spellsOutACycleThroughLambdas() {
    Pipeline p = Pipeline.create("loop", Map.of());
    p.table("a").query(ctx -> ctx.read("b"));
    p.table("b").query(ctx -> ctx.read("a"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOf(PipelineDefinitionException.class)
        .hasMessageContaining("Datasets form a cycle: ");
  }
}
