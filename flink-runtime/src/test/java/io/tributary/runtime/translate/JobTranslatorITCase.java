package io.tributary.runtime.translate;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A materialized table's BATCH job, translated from SQL over views and run on the embedded cluster. */
class JobTranslatorITCase {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType()},
          new String[] {"order_id", "customer_id", "amount"});

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @Test
  void recomputesATableFromSnapshotsThroughAViewWithDropDuplicates() throws Exception {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("silver_orders").from(AutoLoader.json("/orders"));
    p.view("big_orders")
        .query(ctx -> ctx.read("silver_orders").filter($("amount").isGreater(10.0)));
    p.table("gold")
        .sql(
            "SELECT customer_id, SUM(amount) AS total, COUNT(*) AS orders FROM big_orders"
                + " GROUP BY customer_id")
        .dropDuplicates("customer_id");
    ResolvedPlan plan = new Analyzer((dataset, source) -> ORDERS, List.of()).analyze(p.build());
    PlannedJob job =
        JobPlanner.plan(plan.plan()).stream()
            .filter(j -> j.name().equals("table_gold"))
            .findFirst()
            .orElseThrow();
    MemoryJobIo io =
        new MemoryJobIo(
            Map.of(
                "silver_orders",
                List.of(
                    order("o1", "c1", 5.0),
                    order("o2", "c1", 20.0),
                    order("o3", "c1", 30.0),
                    order("o4", "c2", 11.0))));
    JobTranslator translator =
        new JobTranslator(plan, io, (tableEnv, context, dataset, rows, rowType) -> rows);

    TranslatedJob translated =
        translator.translate(
            new JobContext("shop", job, "update-1", 1, Map.of("gold", "0123456789abcdef")),
            JobTranslator.configuration(job, 2, Duration.ofSeconds(1)));
    JobID id = CLUSTER.cluster().submit(translated.graph());

    assertThat(CLUSTER.cluster().result(id).get().isSuccess()).isTrue();
    assertThat(MemoryJobIo.written("gold"))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("+I(c1,50.0,2)", "+I(c2,11.0,1)");
    assertThat(translated.caughtUpIds()).isEmpty();
  }

  private static RowData order(String id, String customer, double amount) {
    return GenericRowData.of(StringData.fromString(id), StringData.fromString(customer), amount);
  }
}
