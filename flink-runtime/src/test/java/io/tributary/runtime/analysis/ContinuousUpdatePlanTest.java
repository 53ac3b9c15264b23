package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * How a continuous update refreshes materialized tables ({@link ResolvedPlan#forContinuousUpdate}):
 * incrementally, as triggered updates do, except a table a stream looks up, which is computed before
 * the streams start and recomputed when an input changes.
 */
class ContinuousUpdatePlanTest {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {
            VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType(), new BigIntType()
          },
          new String[] {"order_id", "customer_id", "total_amount", "ts"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> ORDERS, List.of());

  @Test
  void onlyAnIncrementalTableAStreamLooksUpIsRecomputedInAContinuousUpdate() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("customers")
        .sql("SELECT customer_id, MAX(total_amount) AS biggest FROM bronze GROUP BY customer_id");
    p.table("totals")
        .sql("SELECT customer_id, SUM(total_amount) AS total FROM bronze GROUP BY customer_id");
    p.view("_enriched")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze"), "customers", "customer_id"));
    p.streamingTable("enriched").sql("SELECT * FROM STREAM(_enriched)");
    ResolvedPlan triggered = analyzer.analyze(p.build());

    ResolvedPlan continuous = triggered.forContinuousUpdate();

    assertThat(triggered.refresh("customers").incremental()).isTrue();
    assertThat(triggered.refresh("totals").incremental()).isTrue();
    assertThat(continuous.refresh("totals")).isEqualTo(triggered.refresh("totals"));
    assertThat(continuous.refresh("customers").incremental()).isFalse();
    assertThat(continuous.refresh("customers").reason())
        .isEqualTo(
            "a streaming table looks it up, so a continuous update computes it before the streams"
                + " start and recomputes it whenever one of its inputs has a new version; triggered"
                + " updates refresh it incrementally");
  }
}
