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
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** How analysis treats append flows: each flow's reads and row type, and one schema per target. */
class AppendFlowAnalysisTest {

  private static final RowType EVENTS =
      RowType.of(
          new LogicalType[] {new VarCharType(false, VarCharType.MAX_LENGTH), new BigIntType()},
          new String[] {"id", "amount"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> EVENTS, List.of());

  @Test
  void eachFlowsReadsAreItsOwnAndTheTargetTakesTheFirstFlowsColumnsNullableIfAnyFlowsAre() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    p.appendFlow("from_files").target("all_events").from(AutoLoader.json("/us"));
    p.appendFlow("from_eu")
        .target("all_events")
        .sql("SELECT amount, CAST(NULLIF(id, '') AS STRING) AS id FROM STREAM(eu_events)");
    p.streamingTable("eu_events").from(AutoLoader.json("/eu"));
    p.table("history").from(AutoLoader.json("/history"));
    p.appendFlow("backfill")
        .target("all_events")
        .query(ctx -> ctx.read("history").select($("id"), $("amount")))
        .once();

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.plan().datasets())
        .extracting(DatasetSpec::name)
        .containsExactly("eu_events", "history", "all_events");
    assertThat(resolved.plan().inputsOf("from_eu")).containsExactly(Input.stream("eu_events"));
    assertThat(resolved.plan().inputsOf("backfill")).containsExactly(Input.snapshot("history"));
    assertThat(resolved.plan().inputsOf("all_events"))
        .containsExactly(Input.stream("eu_events"), Input.snapshot("history"));
    assertThat(resolved.schema("all_events").asSummaryString())
        .isEqualTo("ROW<`id` STRING, `amount` BIGINT>");
    assertThat(resolved.schema("from_eu").getFieldNames()).containsExactly("amount", "id");
  }

  @Test
  void flowsWithOtherColumnsAreReportedWithBothColumnListsAndTheFix() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    p.appendFlow("from_files").target("all_events").from(AutoLoader.json("/us"));
    p.appendFlow("counted")
        .target("all_events")
        .query(
            ctx ->
                ctx.readStream("eu_events")
                    .select(
                        $("id"),
                        $("amount")
                            .cast(org.apache.flink.table.api.DataTypes.DOUBLE())
                            .as("amount")));
    p.appendFlow("renamed")
        .target("all_events")
        .sql("SELECT id AS event_id, amount FROM STREAM(eu_events)");
    p.streamingTable("eu_events").from(AutoLoader.json("/eu"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Flow 'counted' appends to 'all_events' the columns (id STRING, amount DOUBLE), but 'all_events' has"
                            + " the columns (id STRING, amount BIGINT) (from flow 'from_files'). Every flow into a streaming"
                            + " table produces the same column names and types, in any order: select, rename or CAST the"
                            + " flow's columns to match (NULL AS a missing column).",
                        "Flow 'renamed' appends to 'all_events' the columns (event_id STRING, amount BIGINT), but 'all_events'"
                            + " has the columns (id STRING, amount BIGINT) (from flow 'from_files'). Every flow into a"
                            + " streaming table produces the same column names and types, in any order: select, rename or"
                            + " CAST the flow's columns to match (NULL AS a missing column)."));
  }

  @Test
  void aStreamingFlowThatUpdatesRowsOrReadsASnapshotIsRefusedAndAnUndefinedInputIsNamed() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    p.appendFlow("counts")
        .target("all_events")
        .sql("SELECT id, COUNT(*) AS amount FROM STREAM(eu_events) GROUP BY id");
    p.appendFlow("joined")
        .target("all_events")
        .query(
            ctx ->
                ctx.readStream("eu_events")
                    .join(
                        ctx.read("history").select($("id").as("h_id")), $("id").isEqual($("h_id")))
                    .select($("id"), $("amount")));
    p.appendFlow("typo").target("all_events").query(ctx -> ctx.readStream("eu_event"));
    p.streamingTable("eu_events").from(AutoLoader.json("/eu"));
    p.table("history").from(AutoLoader.json("/history"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e -> {
              assertThat(e.problems()).hasSize(3);
              assertThat(e.problems().get(0))
                  .startsWith("Flow 'counts' into 'all_events': its query produces updates")
                  .endsWith(
                      "but a flow into a streaming table only appends. Give the aggregation or join a time window"
                          + " and a watermark, or make it a materialized table.");
              assertThat(e.problems().get(1))
                  .isEqualTo(
                      "Flow 'joined' streams and reads a snapshot of 'history':"
                          + " joined with a stream, it would keep the rows 'history' had when the job started. Look 'history'"
                          + " up instead, at its latest version for each new row: ctx.lookupJoin(stream, \"history\", keys…)"
                          + " or ctx.leftLookupJoin(…), or in SQL JOIN history FOR SYSTEM_TIME AS OF s.proc_time, with"
                          + " PROCTIME() AS proc_time selected on the stream s. Or read 'history' as a stream, or make the flow"
                          + " a backfill with once().");
              assertThat(e.problems().get(2))
                  .isEqualTo(
                      "Flow 'typo': input 'eu_event' is not defined. Defined"
                          + " datasets: [all_events, eu_events, history]. Check the name passed to ctx.readStream().");
            });
  }
}
