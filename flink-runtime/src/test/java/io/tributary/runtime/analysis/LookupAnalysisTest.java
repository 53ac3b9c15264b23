package io.tributary.runtime.analysis;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.Input;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * A stream joined with a table: a lookup join (SQL's {@code FOR SYSTEM_TIME AS OF}, the DSL's
 * {@code ctx.lookupJoin}) is a LOOKUP read that streaming tables, flows and tables may make; a
 * regular join with a snapshot in a streaming table is refused with the lookup as its fix.
 */
class LookupAnalysisTest {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {
            VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType(), new BigIntType()
          },
          new String[] {"order_id", "customer_id", "total_amount", "ts"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> ORDERS, List.of());

  /** A pipeline with a stream of orders and a table of customers, the dimension. */
  private static Pipeline orders() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("customers")
        .sql("SELECT customer_id, MAX(total_amount) AS biggest FROM bronze GROUP BY customer_id");
    return p;
  }

  @Test
  void aSnapshotJoinedWithAStreamIsRefusedNamingBothFormsOfTheLookup() {
    Pipeline p = orders();
    p.view("_enriched")
        .query(
            ctx ->
                ctx.readStream("bronze")
                    .leftOuterJoin(
                        ctx.read("customers").select($("customer_id").as("c_id"), $("biggest")),
                        $("customer_id").isEqual($("c_id"))));
    p.streamingTable("silver").sql("SELECT * FROM STREAM(_enriched)");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Streaming table 'silver' reads a snapshot of 'customers' (through view '_enriched'): joined with a"
                            + " stream, it would keep the rows 'customers' had when the job started. Look 'customers' up"
                            + " instead, at its latest version for each new row: ctx.lookupJoin(stream, \"customers\","
                            + " keys…) or ctx.leftLookupJoin(…), or in SQL JOIN customers FOR SYSTEM_TIME AS OF s.proc_time,"
                            + " with PROCTIME() AS proc_time selected on the stream s. Or make 'silver' a materialized table"
                            + " with p.table(\"silver\")."));
  }

  @Test
  void aSqlLookupJoinIsALookupReadOfAStreamingTableWhereverTheTableIsDeclared() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("enriched")
        .sql(
            """
        SELECT e.order_id, c.biggest
        FROM (SELECT *, PROCTIME() AS proc_time FROM STREAM(bronze)) e
        LEFT JOIN customers FOR SYSTEM_TIME AS OF e.proc_time AS c ON e.customer_id = c.customer_id""");
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("customers")
        .sql("SELECT customer_id, MAX(total_amount) AS biggest FROM bronze GROUP BY customer_id");

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.plan().inputsOf("enriched"))
        .containsExactlyInAnyOrder(Input.stream("bronze"), Input.lookup("customers"));
    assertThat(resolved.schema("enriched").getFieldNames()).containsExactly("order_id", "biggest");
  }

  @Test
  void theDslLookupJoinsHaveUsingSemanticsAndMayHideInAView() {
    Pipeline p = orders();
    p.streamingTable("inner_joined")
        .query(ctx -> ctx.lookupJoin(ctx.readStream("bronze"), "customers", "customer_id"));
    p.view("_left_joined")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze"), "customers", "customer_id"));
    p.streamingTable("left_joined").sql("SELECT * FROM STREAM(_left_joined)");
    p.table("batch_joined")
        .query(ctx -> ctx.leftLookupJoin(ctx.read("bronze"), "customers", "customer_id"));

    ResolvedPlan resolved = analyzer.analyze(p.build());

    for (String dataset : List.of("inner_joined", "left_joined", "batch_joined")) {
      assertThat(resolved.schema(dataset).getFieldNames())
          .as(dataset)
          .containsExactly("order_id", "customer_id", "total_amount", "ts", "biggest");
    }
    assertThat(resolved.plan().inputsOf("inner_joined"))
        .containsExactly(Input.stream("bronze"), Input.lookup("customers"));
    assertThat(resolved.plan().inputsOf("_left_joined"))
        .containsExactly(Input.stream("bronze"), Input.lookup("customers"));
    assertThat(resolved.plan().inputsOf("batch_joined"))
        .containsExactly(Input.snapshot("bronze"), Input.lookup("customers"));
    assertThat(resolved.schema("left_joined").getTypeAt(4).isNullable()).isTrue();
  }

  @Test
  void aWatermarkedStreamKeepsItsEventTimeThroughALookupJoin() {
    Analyzer eventTime =
        new Analyzer(
            (dataset, source) ->
                RowType.of(
                    new LogicalType[] {
                      VarCharType.STRING_TYPE,
                      VarCharType.STRING_TYPE,
                      new org.apache.flink.table.types.logical.TimestampType(3)
                    },
                    new String[] {"order_id", "customer_id", "ts"}),
            List.of());
    Pipeline p = Pipeline.create("hourly", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/orders").withWatermark("ts", "10 minutes"));
    p.table("customers").sql("SELECT DISTINCT customer_id, 'gold' AS tier FROM bronze");
    p.view("_enriched")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze"), "customers", "customer_id"));
    p.streamingTable("hourly_by_tier")
        .sql(
            "SELECT window_start, tier, COUNT(*) AS orders FROM TABLE(TUMBLE("
                + "TABLE STREAM(_enriched), DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end, tier");

    ResolvedPlan resolved = eventTime.analyze(p.build());

    assertThat(resolved.schema("hourly_by_tier").getFieldNames())
        .containsExactly("window_start", "tier", "orders");
  }

  @Test
  void anAppendFlowMayLookUpATable() {
    Pipeline p = orders();
    p.createStreamingTable("all_orders");
    p.appendFlow("enriched_orders")
        .target("all_orders")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze"), "customers", "customer_id"));

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.plan().inputsOf("enriched_orders"))
        .containsExactly(Input.stream("bronze"), Input.lookup("customers"));
  }

  @Test
  void aLookupOfAnUndefinedDatasetNamesTheDefinedOnes() {
    Pipeline p = orders();
    p.streamingTable("by_sql")
        .sql(
            "SELECT e.order_id FROM (SELECT *, PROCTIME() AS t FROM STREAM(bronze)) e"
                + " JOIN custmers FOR SYSTEM_TIME AS OF e.t AS c ON e.customer_id = c.customer_id");
    p.streamingTable("by_dsl")
        .query(ctx -> ctx.lookupJoin(ctx.readStream("bronze"), "custmers", "customer_id"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Dataset 'by_sql': input 'custmers' is not defined. Defined datasets: [bronze, by_dsl, by_sql,"
                            + " customers]. Check the name passed to sql() (the table before FOR SYSTEM_TIME AS OF).",
                        "Dataset 'by_dsl': input 'custmers' is not defined. Defined datasets: [bronze, by_dsl, by_sql,"
                            + " customers]. Check the name passed to ctx.lookupJoin()."));
  }

  @Test
  void aViewCannotBeLookedUp() {
    Pipeline p = orders();
    p.view("big_customers").sql("SELECT * FROM customers WHERE biggest > 100");
    p.streamingTable("enriched")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze"), "big_customers", "customer_id"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Dataset 'enriched' looks up view 'big_customers' (a lookup join), but a view is not stored: a lookup"
                            + " reads the latest version of a table. Make 'big_customers' a table with"
                            + " p.table(\"big_customers\") (or a streaming table), or join the view's inputs instead."));
  }

  @Test
  void theDslLookupJoinRefusesAClashingColumnAndKeysOneSideLacks() {
    Pipeline p = orders();
    p.table("latest")
        .sql(
            "SELECT customer_id, MAX(ts) AS ts, MAX(total_amount) AS total_amount FROM bronze"
                + " GROUP BY customer_id");
    p.streamingTable("clash")
        .query(ctx -> ctx.lookupJoin(ctx.readStream("bronze"), "latest", "customer_id"));
    p.streamingTable("bad_key")
        .query(ctx -> ctx.lookupJoin(ctx.readStream("bronze"), "customers", "order_id"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Dataset 'clash': ctx.lookupJoin(…, \"latest\", …) would produce columns [ts, total_amount] twice:"
                            + " they are in the stream and in 'latest' and not join keys. Rename or drop them in the stream"
                            + " (renameColumns, dropColumns), or in 'latest'.",
                        "Dataset 'bad_key': ctx.lookupJoin(…, \"customers\", [order_id]) needs join keys that are columns of"
                            + " both the stream [order_id, customer_id, total_amount, ts] and 'customers' [customer_id,"
                            + " biggest]. Name at least one column both have, or rename the stream's column to match."));
  }
}
