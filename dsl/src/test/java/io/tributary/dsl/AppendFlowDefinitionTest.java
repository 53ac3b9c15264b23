package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.dsl.plan.Flow;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Append flows (DLT's {@code append_flow}): the plan they make (golden {@code describe()}, flows,
 * order, inputs) and each definition problem, asserting the whole message.
 */
class AppendFlowDefinitionTest {

  private static final String NL = System.lineSeparator();
  private static final AutoLoader US = AutoLoader.json("/data/us");
  private static final AutoLoader EU = AutoLoader.json("/data/eu");

  @Test
  void describeListsEachFlowUnderItsTarget() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.table("summary").sql("SELECT COUNT(*) AS n FROM all_events");
              p.appendFlow("from_eu").target("all_events").sql("SELECT * FROM STREAM(eu_events)");
              p.createStreamingTable("all_events")
                  .comment("Events of every region")
                  .partitionBy("region")
                  .expectOrDrop("has_id", "id IS NOT NULL")
                  .tableProperty("quality", "silver");
              p.streamingTable("eu_events").from(EU);
              p.appendFlow("from_us").target("all_events").from(US);
              p.table("events_2023").sql("SELECT 1 AS id");
              p.appendFlow("backfill").from("events_2023").target("all_events").once();
            });

    assertThat(plan.describe())
        .isEqualTo(
            """
        pipeline events
          table summary
            sql SELECT COUNT(*) AS n FROM all_events
          streaming table eu_events
            from AutoLoader json /data/eu
          table events_2023
            sql SELECT 1 AS id
          streaming table all_events (flow target)
            comment Events of every region
            expect_or_drop has_id: id IS NOT NULL
            partition by [region]
            property quality=silver
            append flow from_eu
              sql SELECT * FROM STREAM(eu_events)
            append flow from_us
              from AutoLoader json /data/us
            append flow backfill (once)
              from events_2023
              reads events_2023
        """);
    assertThat(
            plan.flows().stream()
                .map(f -> f.getClass().getSimpleName() + " " + f.name() + " -> " + f.target()))
        .containsExactly(
            "QueryFlow summary -> summary",
            "QueryFlow eu_events -> eu_events",
            "QueryFlow events_2023 -> events_2023",
            "AppendFlow from_eu -> all_events",
            "AppendFlow from_us -> all_events",
            "AppendFlow backfill -> all_events");
  }

  @Test
  void readsFoundByAnalysisOrderTheTargetAfterThem() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.createStreamingTable("all_events");
              p.appendFlow("from_eu").target("all_events").sql("SELECT * FROM STREAM(eu_events)");
              p.streamingTable("eu_events").from(EU);
            });
    assertThat(plan.datasets().stream().map(d -> d.name()))
        .containsExactly("all_events", "eu_events");

    LogicalPlan resolved =
        plan.withResolvedInputs(Map.of("from_eu", List.of(Input.stream("eu_events"))));

    assertThat(resolved.datasets().stream().map(d -> d.name()))
        .containsExactly("eu_events", "all_events");
    assertThat(resolved.inputsOf("all_events")).containsExactly(Input.stream("eu_events"));
    assertThat(resolved.inputsOf("from_eu")).containsExactly(Input.stream("eu_events"));
    assertThat(resolved.queryInputsOf("all_events")).isEmpty();
    assertThat(resolved.flows()).filteredOn(f -> f instanceof Flow.AppendFlow).hasSize(1);
    assertThat(resolved.describe())
        .contains(
            """
            append flow from_eu
              sql SELECT * FROM STREAM(eu_events)
              reads STREAM(eu_events)
        """);
  }

  @Test
  void aStreamingTableWithAQueryTakesAppendFlowsToo() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.streamingTable("all_events").from(US);
              p.appendFlow("from_eu").target("all_events").from(EU);
            });

    assertThat(plan.flows().stream().map(Flow::name)).containsExactly("all_events", "from_eu");
  }

  @Test
  void everyProblemOfAppendFlowsIsReportedAtOnce() {
    assertProblems(
        p -> {
          p.streamingTable("us_events").from(US);
          p.table("totals").sql("SELECT 1 AS n");
          p.view("v").sql("SELECT 1 AS n");
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("us_events").keys("id").sequenceBy("ts");
          p.appendFlow("no_target").from(US);
          p.appendFlow("to_nothing").target("all_event").from(US);
          p.appendFlow("to_table").target("totals").from(US);
          p.appendFlow("to_view").target("v").from(US);
          p.appendFlow("to_cdc").target("customers").from(US);
          p.createStreamingTable("all_events");
          p.appendFlow("empty").target("all_events");
          p.appendFlow("twice").target("all_events").from(US).from(EU);
          p.appendFlow("Twice").target("all_events").from(US);
          p.appendFlow("us_EVENTS").target("all_events").from(US);
          p.appendFlow("bad name").target("all_events").from(US);
        },
        "Flow 'bad name': the name is not a valid identifier. Use letters, digits and underscores, starting with a"
            + " letter or an underscore, at most 128 characters (it names a folder under the pipeline's storage).",
        "Flow 'twice' is defined 2 times. Flow names are case-insensitive and unique per pipeline (each names the"
            + " flow's state and its events): rename all but one.",
        "Flow 'us_EVENTS' has the name of streaming table 'us_events', whose own query is the flow of that name."
            + " Rename the flow, such as 'us_EVENTS_flow'.",
        "Flow 'no_target' has no target. Name the streaming table it appends to:"
            + " p.appendFlow(\"no_target\").target(\"<streaming table>\").",
        "Flow 'to_nothing': target 'all_event' is not defined. Streaming tables: [all_events, customers,"
            + " us_events]. Declare it with p.createStreamingTable(\"all_event\"), or check the name passed to"
            + " target().",
        "Flow 'to_table': target 'totals' is a table, but flows append only to streaming tables. Declare it with"
            + " p.createStreamingTable(\"totals\").",
        "Flow 'to_view': target 'v' is a view, but flows append only to streaming tables. Declare it with"
            + " p.createStreamingTable(\"v\").",
        "Flow 'to_cdc': target 'customers' is written by applyChanges, which updates and deletes its rows by key;"
            + " appended rows would bypass that. Append to another streaming table, or feed this flow's rows into"
            + " the change feed that applyChanges reads.",
        "Flow 'empty' has no query. Define its rows with from(…), query(…) or sql(…).",
        "Flow 'twice' has 2 queries (from AutoLoader json /data/us; from AutoLoader json /data/eu). A flow has one"
            + " query: keep one of them, or declare another flow for the other.");
  }

  @Test
  void aCreatedStreamingTableFedOnlyByAppendFlowsIsValid() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.createStreamingTable("all_events");
              p.appendFlow("from_us").target("all_events").from(US);
            });

    assertThat(plan.appendFlowsInto("all_events")).hasSize(1);
    assertThat(plan.isApplyChangesTarget("all_events")).isFalse();
  }

  @Test
  void flowReadingAnUndefinedDataset() {
    assertProblems(
        p -> {
          p.createStreamingTable("all_events");
          p.appendFlow("from_us").target("all_events").from("us_event");
        },
        "Flow 'from_us': input 'us_event' is not defined. Defined datasets: [all_events]. Check the name passed to"
            + " the flow's query.");
  }

  @Test
  void flowStreamingAMaterializedTable() {
    assertProblems(
        p -> {
          p.table("totals").sql("SELECT 1 AS n");
          p.createStreamingTable("all_events");
          p.appendFlow("from_totals").target("all_events").from("totals");
        },
        "Flow 'from_totals' reads table 'totals' as a stream, but 'totals' is a materialized table, recomputed on"
            + " every update, so it has no stream of new rows. Read it as a snapshot (from(…) on a table or view,"
            + " ctx.read(…)), or make 'totals' a streaming table.");
  }

  @Test
  void onceFlowReadingAStreamFoundByAnalysis() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.streamingTable("us_events").from(US);
              p.createStreamingTable("all_events");
              p.appendFlow("backfill")
                  .target("all_events")
                  .sql("SELECT * FROM STREAM(us_events)")
                  .once();
            });

    Throwable thrown =
        catchThrowable(
            () -> plan.withResolvedInputs(Map.of("backfill", List.of(Input.stream("us_events")))));

    assertThat(thrown)
        .isInstanceOf(PipelineDefinitionException.class)
        .hasMessage(
            "Pipeline 'events' has 1"
                + " problem:"
                + NL
                + "  1. Flow 'backfill' runs once and reads 'us_events' as a stream. A once flow reads"
                + " its inputs one time, as a snapshot: read 'us_events' without STREAM() (ctx.read(\"us_events\")), or"
                + " remove once().");
  }

  @Test
  void onceMakesFromASnapshotReadWhicheverComesFirst() {
    LogicalPlan plan =
        Pipeline.plan(
            "events",
            Map.of(),
            p -> {
              p.streamingTable("us_events").from(US);
              p.createStreamingTable("all_events");
              p.appendFlow("a").target("all_events").once().from("us_events");
              p.appendFlow("b").target("all_events").from("us_events").once();
              p.appendFlow("c").target("all_events").from("us_events");
            });

    assertThat(plan.inputsOf("a")).containsExactly(Input.snapshot("us_events"));
    assertThat(plan.inputsOf("b")).containsExactly(Input.snapshot("us_events"));
    assertThat(plan.inputsOf("c")).containsExactly(Input.stream("us_events"));
    assertThat(plan.inputsOf("all_events"))
        .containsExactly(Input.snapshot("us_events"), Input.stream("us_events"));
  }

  @Test
  void streamingFromATableThatOnlyOnceFlowsWrite() {
    assertProblems(
        p -> {
          p.table("events_2023").sql("SELECT 1 AS id");
          p.createStreamingTable("all_events");
          p.appendFlow("backfill").target("all_events").from("events_2023").once();
          p.streamingTable("silver").from("all_events");
        },
        "Dataset 'silver' reads 'all_events' as a stream, but only once flows write 'all_events', so no stream of"
            + " new rows flows out of it. Read it as a snapshot from a table or view (ctx.read(\"all_events\")), or"
            + " add a streaming appendFlow into it.");
  }

  private static void assertProblems(PipelineDefinition definition, String... problems) {
    Throwable thrown = catchThrowable(() -> Pipeline.plan("shop", Map.of(), definition));

    assertThat(thrown).isInstanceOf(PipelineDefinitionException.class);
    StringBuilder expected =
        new StringBuilder("Pipeline '")
            .append(thrown.getMessage().startsWith("Pipeline 'events'") ? "events" : "shop")
            .append("' has ")
            .append(problems.length)
            .append(problems.length == 1 ? " problem:" : " problems:");
    for (int i = 0; i < problems.length; i++) {
      expected.append(NL).append("  ").append(i + 1).append(". ").append(problems[i]);
    }
    assertThat(thrown.getMessage()).isEqualTo(expected.toString());
  }
}
