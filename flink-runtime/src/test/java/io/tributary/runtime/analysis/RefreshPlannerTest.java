package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** Which materialized tables the planner lets an update refresh incrementally, and why the others not. */
class RefreshPlannerTest {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {
            VarCharType.STRING_TYPE,
            VarCharType.STRING_TYPE,
            new DoubleType(),
            VarCharType.STRING_TYPE
          },
          new String[] {"order_id", "customer_id", "amount", "properties"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> ORDERS, List.of());

  private Refresh refreshOf(String sql) {
    return refreshOf(p -> p.table("gold").sql(sql));
  }

  private Refresh refreshOf(Consumer<Pipeline> gold) {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("orders").from(AutoLoader.json("/orders"));
    p.streamingTable("refunds").from(AutoLoader.json("/refunds"));
    gold.accept(p);
    Refresh refresh = analyzer.analyze(p.build()).refresh("gold");
    return refresh;
  }

  @Test
  void aGroupByOfAStreamingTableIsIncrementalByItsKeys() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS mean,"
                + " MIN(amount) AS low, MAX(amount) AS high, COUNT(DISTINCT order_id) AS distinct_orders"
                + " FROM orders WHERE amount > 0 GROUP BY customer_id");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.INCREMENTAL);
    assertThat(refresh.keys()).containsExactly("customer_id");
    assertThat(refresh.reason())
        .isEqualTo(
            "the planner derives the upsert key [customer_id] and every operator"
                + " of the query maintains its result from new input rows");
  }

  @Test
  void anInnerEquiJoinGroupedIsIncremental() {
    Refresh refresh =
        refreshOf(
            "SELECT o.customer_id, UPPER(r.properties) AS kind, SUM(o.amount) AS total"
                + " FROM orders o JOIN refunds r ON o.order_id = r.order_id GROUP BY o.customer_id, UPPER(r.properties)");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.INCREMENTAL);
    assertThat(refresh.keys()).containsExactly("customer_id", "kind");
  }

  @Test
  void anIncrementalTableReadsOnlyTheColumnsItsQueryUses() {
    Refresh grouped =
        refreshOf(
            "SELECT customer_id, COUNT(DISTINCT order_id) AS n FROM orders WHERE amount > 0"
                + " GROUP BY customer_id");
    Refresh joined =
        refreshOf(
            "SELECT o.customer_id, UPPER(r.properties) AS kind, SUM(o.amount) AS total"
                + " FROM orders o JOIN refunds r ON o.order_id = r.order_id GROUP BY o.customer_id, UPPER(r.properties)");

    assertThat(grouped.columnsRead())
        .containsExactly(Map.entry("orders", List.of("order_id", "customer_id", "amount")));
    assertThat(joined.columnsRead())
        .containsOnly(
            Map.entry("orders", List.of("order_id", "customer_id", "amount")),
            Map.entry("refunds", List.of("order_id", "properties")));
  }

  @Test
  void anIncrementalTableReadsThroughAViewOnlyTheColumnsItUses() {
    Refresh refresh =
        refreshOf(
            p -> {
              p.view("paid").sql("SELECT * FROM orders WHERE amount > 0");
              p.table("gold")
                  .sql("SELECT customer_id, COUNT(*) AS n FROM paid GROUP BY customer_id");
            });

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.INCREMENTAL);
    assertThat(refresh.columnsRead())
        .containsExactly(Map.entry("orders", List.of("customer_id", "amount")));
  }

  @Test
  void aQueryNamingAColumnItDoesNotUseReadsEveryColumn() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, COUNT(*) AS n FROM (SELECT order_id, customer_id FROM orders)"
                + " GROUP BY customer_id");

    // the plan uses customer_id alone, but the subquery must resolve order_id
    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.INCREMENTAL);
    assertThat(refresh.columnsRead()).isEmpty();
  }

  @Test
  void aQueryUsingEveryColumnOfItsInputPrunesNone() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, COUNT(DISTINCT order_id) AS n, SUM(amount) AS total,"
                + " MAX(properties) AS last_properties FROM orders GROUP BY customer_id");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.INCREMENTAL);
    assertThat(refresh.columnsRead()).isEmpty();
    assertThat(refresh.columnsRead("orders")).isEmpty();
  }

  @Test
  void orderByWithLimitIsRecomputed() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id"
                + " ORDER BY total DESC LIMIT 3");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.COMPLETE_RECOMPUTE);
    assertThat(refresh.reason())
        .isEqualTo(
            "its plan has a sort-limit operator, which cannot be maintained from new"
                + " rows alone");
  }

  @Test
  void aWindowOverAllRowsIsRecomputed() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, amount, SUM(amount) OVER (PARTITION BY customer_id"
                + " ORDER BY order_id) AS running_total FROM orders");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.COMPLETE_RECOMPUTE);
    assertThat(refresh.reason())
        .isEqualTo(
            "its plan has a over-aggregate operator, which cannot be maintained"
                + " from new rows alone");
  }

  @Test
  void aNonDeterministicFunctionIsRecomputed() {
    Refresh refresh =
        refreshOf(
            "SELECT customer_id, SUM(amount * RAND()) AS total FROM orders GROUP BY customer_id");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.COMPLETE_RECOMPUTE);
    assertThat(refresh.reason()).isEqualTo("it calls RAND(), which is not deterministic");
  }

  @Test
  void aNonDeterministicFunctionInAViewReadIsRecomputed() {
    Refresh refresh =
        refreshOf(
            p -> {
              p.view("recent")
                  .sql(
                      "SELECT customer_id, amount FROM orders"
                          + " WHERE CAST(amount AS BIGINT) > UNIX_TIMESTAMP() - 86400");
              p.table("gold")
                  .sql("SELECT customer_id, SUM(amount) AS total FROM recent GROUP BY customer_id");
            });

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.COMPLETE_RECOMPUTE);
    assertThat(refresh.reason()).isEqualTo("it calls UNIX_TIMESTAMP(), which is not deterministic");
  }

  @Test
  void rowsWithoutAKeyAreRecomputed() {
    Refresh refresh = refreshOf("SELECT customer_id, amount FROM orders WHERE amount > 10");

    assertThat(refresh.technique()).isEqualTo(Refresh.Technique.COMPLETE_RECOMPUTE);
    assertThat(refresh.reason())
        .isEqualTo(
            "the planner derives no upsert key for its result (only a GROUP BY"
                + " over the inputs gives each result row a key its changes can be applied by)");
  }

  @Test
  void aReadOfAMaterializedTableIsRecomputed() {
    Refresh refresh =
        refreshOf(
            p -> {
              p.table("totals")
                  .sql("SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id");
              p.table("gold")
                  .sql("SELECT customer_id, MAX(total) AS total FROM totals GROUP BY customer_id");
            });

    assertThat(refresh.reason())
        .isEqualTo(
            "it reads 'totals', which is not an append-only streaming table"
                + " (materialized_table)");
  }

  @Test
  void expectationsKeepARecompute() {
    Refresh refresh =
        refreshOf(
            p ->
                p.table("gold")
                    .sql(
                        "SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id")
                    .expect("positive", "total > 0"));

    assertThat(refresh.reason())
        .isEqualTo(
            "it has expectations, which are checked on the rows of a complete" + " recompute");
  }

  @Test
  void aTablePropertyKeepsARecompute() {
    Refresh refresh =
        refreshOf(
            p ->
                p.table("gold")
                    .sql(
                        "SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id")
                    .tableProperty(RefreshPlanner.INCREMENTAL, "false"));

    assertThat(refresh.reason())
        .isEqualTo("its table property pipelines.incrementalRefresh is false");
  }
}
