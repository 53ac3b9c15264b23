package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * How the end of one query's run is reported: a problem worded for whose query it is (a dataset's or
 * an append flow's), nothing more for a reader of a failed input, and a cycle through a flow spelled
 * out once.
 */
class QueryProblemWordingTest {

  private static final RowType EVENTS =
      RowType.of(
          new LogicalType[] {new VarCharType(false, VarCharType.MAX_LENGTH), new BigIntType()},
          new String[] {"id", "amount"});

  /** Derives {@link #EVENTS} for every source except the one under {@code /broken}. */
  private final Analyzer analyzer =
      new Analyzer(
          (dataset, source) -> {
            if (source.toString().contains("/broken")) {
              throw new IllegalArgumentException(
                  "Auto Loader source '/broken' has no schema yet. Declare one.");
            }
            return EVENTS;
          },
          List.of());

  @Test
  void aSourceWithoutASchemaIsNamedForTheDatasetOrTheFlowAndItsReadersAreNotReportedAgain() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.streamingTable("raw").from(AutoLoader.json("/broken"));
    p.view("cleaned").sql("SELECT id FROM raw");
    p.createStreamingTable("all_events");
    p.appendFlow("from_files").target("all_events").from(AutoLoader.json("/broken/us"));
    p.appendFlow("from_eu").target("all_events").from(AutoLoader.json("/eu"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Dataset 'raw': Auto Loader source '/broken' has no schema yet. Declare one.",
                        "Flow 'from_files': Auto Loader source '/broken' has no schema yet. Declare one."));
  }

  @Test
  void aFlowReadingATableThatReadsItsTargetIsACycleSpelledOut() {
    Pipeline p = Pipeline.create("events", Map.of());
    p.createStreamingTable("all_events");
    p.appendFlow("from_files").target("all_events").from(AutoLoader.json("/us"));
    p.appendFlow("from_totals").target("all_events").sql("SELECT id, amount FROM STREAM(totals)");
    p.streamingTable("totals").sql("SELECT id, amount FROM STREAM(all_events)");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOf(PipelineDefinitionException.class)
        .hasMessageContaining("Datasets form a cycle: ")
        .hasMessageContaining("all_events")
        .hasMessageContaining("totals");
  }
}
