package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.PlannedJob;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** A flow added to a table's job keeps the saved state usable; a flow removed or changed does not. */
class AppendFlowStateFingerprintTest {

  private static final RowType EVENTS =
      RowType.of(new LogicalType[] {VarCharType.STRING_TYPE}, new String[] {"id"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> EVENTS, List.of());

  private StateFingerprint fingerprint(String... flows) {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    for (String flow : flows) {
      p.appendFlow(flow).target("all_events").from(AutoLoader.json("/" + flow));
    }
    ResolvedPlan plan = analyzer.analyze(p.build());
    PlannedJob job = JobPlanner.plan(plan.plan()).get(0);
    return StateFingerprint.parse(StateFingerprint.of(plan, job).text());
  }

  @Test
  void anAddedFlowIsNoDifferenceButARemovedOrChangedOneIs() {
    StateFingerprint two = fingerprint("from_us", "from_eu");

    assertThat(fingerprint("from_us", "from_eu", "from_asia").differenceFrom(two)).isEmpty();
    assertThat(fingerprint("from_eu", "from_us").differenceFrom(two))
        .as("declaration order")
        .isEmpty();
    assertThat(fingerprint("from_us").differenceFrom(two))
        .isEqualTo(
            Optional.of(
                "was \"flow from_eu into"
                    + " all_events [from AutoLoader json /from_eu] reads [] schema ROW<`id` VARCHAR(2147483647)> NOT NULL\","
                    + " now \"(nothing)\""));
    Pipeline moved = Pipeline.create("events", Map.of());
    moved.createStreamingTable("all_events");
    moved.appendFlow("from_us").target("all_events").from(AutoLoader.json("/elsewhere"));
    moved.appendFlow("from_eu").target("all_events").from(AutoLoader.json("/from_eu"));
    ResolvedPlan plan = analyzer.analyze(moved.build());
    assertThat(StateFingerprint.of(plan, JobPlanner.plan(plan.plan()).get(0)).differenceFrom(two))
        .isEqualTo(
            Optional.of(
                "was \"flow from_us into all_events [from AutoLoader json /from_us] reads []"
                    + " schema ROW<`id` VARCHAR(2147483647)> NOT NULL\", now \"flow from_us into all_events [from"
                    + " AutoLoader json /elsewhere] reads [] schema ROW<`id` VARCHAR(2147483647)> NOT NULL\""));
  }

  @Test
  void aLookupJoinKeepsNoStateSoItIsNotARead() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.streamingTable("events").from(AutoLoader.json("/events"));
    p.table("users").from(AutoLoader.json("/users"));
    p.streamingTable("enriched")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("events"), "users", "id"));
    ResolvedPlan plan = analyzer.analyze(p.build());
    PlannedJob job =
        JobPlanner.plan(plan.plan()).stream()
            .filter(j -> j.datasets().contains("enriched"))
            .findFirst()
            .orElseThrow();

    assertThat(StateFingerprint.of(plan, job).lines()).contains("enriched reads [STREAM(events)]");
  }
}
