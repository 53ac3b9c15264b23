package io.tributary.runtime.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.plan.Flow;
import io.tributary.dsl.plan.LogicalPlan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The event log's {@code flow_type} of each kind of flow, as DLT's {@code flow_definition} names it. */
class FlowTypeTest {

  @Test
  void eachKindOfFlowHasItsType() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.streamingTable("orders").from(AutoLoader.json("/data/orders"));
              p.table("totals").sql("SELECT COUNT(*) AS n FROM orders");
              p.createStreamingTable("all_orders");
              p.appendFlow("from_eu").target("all_orders").from(AutoLoader.json("/data/eu"));
              p.appendFlow("backfill").target("all_orders").from("totals").once();
              p.createStreamingTable("customers");
              p.applyChanges("customers").from("orders").keys("id").sequenceBy("seq");
              p.createStreamingTable("stock");
              p.applyChangesFromSnapshot("stock").fromSnapshot("totals").keys("n");
            });

    Map<String, String> types = new LinkedHashMap<>();
    for (Flow flow : plan.flows()) {
      types.put(flow.name(), UpdateEventLog.flowType(flow, plan.dataset(flow.target())));
    }

    assertThat(types)
        .containsOnly(
            Map.entry("orders", "STREAMING_TABLE"),
            Map.entry("totals", "MATERIALIZED_TABLE"),
            Map.entry("from_eu", "APPEND"),
            Map.entry("backfill", "APPEND_ONCE"),
            Map.entry(plan.applyChanges().get(0).flowName(), "APPLY_CHANGES"),
            Map.entry(plan.snapshotChanges().get(0).flowName(), "APPLY_CHANGES_FROM_SNAPSHOT"));
    assertThat(
            UpdateEventLog.flowType(
                new Flow.QueryFlow(plan.dataset("orders").orElseThrow()), Optional.empty()))
        .isEqualTo("UNKNOWN");
  }
}
