package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.PlannedJob;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshSelectionTest {

  private final LogicalPlan plan = plan();
  private final List<PlannedJob> jobs = JobPlanner.plan(plan);

  private static LogicalPlan plan() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/orders"));
    p.streamingTable("silver").from("bronze");
    p.table("gold").from("silver");
    p.streamingTable("audit")
        .from(AutoLoader.json("/audit"))
        .tableProperty("pipelines.reset.allowed", "false");
    return p.build();
  }

  @Test
  void byDefaultEveryJobRunsAndNoneIsReset() {
    RefreshSelection.Resolved resolved = RefreshSelection.all().resolve(plan, jobs);

    assertThat(resolved.runJobs())
        .containsExactlyInAnyOrder("stream_bronze", "table_gold", "stream_audit");
    assertThat(resolved.resetJobs()).isEmpty();
  }

  @Test
  void refreshRunsTheNamedTablesJobsAndSaysWhichOthersRunWithThem() {
    RefreshSelection.Resolved resolved =
        RefreshSelection.refresh(Set.of("silver")).resolve(plan, jobs);

    assertThat(resolved.runJobs()).containsExactly("stream_bronze");
    assertThat(resolved.resetJobs()).isEmpty();
    assertThat(resolved.notes())
        .containsEntry("bronze", "runs with silver: they share a streaming job");
  }

  @Test
  void fullRefreshOfATableResetsItsWholeJob() {
    RefreshSelection.Resolved resolved =
        RefreshSelection.fullRefreshTables(Set.of("silver", "gold")).resolve(plan, jobs);

    assertThat(resolved.runJobs()).containsExactlyInAnyOrder("stream_bronze", "table_gold");
    assertThat(resolved.resetJobs()).containsExactlyInAnyOrder("stream_bronze", "table_gold");
  }

  @Test
  void fullRefreshOfEverythingKeepsATableThatForbidsIt() {
    RefreshSelection.Resolved resolved = RefreshSelection.fullRefreshAll().resolve(plan, jobs);

    assertThat(resolved.resetJobs()).containsExactlyInAnyOrder("stream_bronze", "table_gold");
    assertThat(resolved.notes())
        .containsEntry(
            "audit",
            "not fully refreshed: audit in the same job forbids it (pipelines.reset.allowed=false)");
  }

  @Test
  void namesEveryUnknownTableAndEveryForbiddenReset() {
    assertThatThrownBy(
            () ->
                RefreshSelection.fullRefreshTables(Set.of("audit", "silverr")).resolve(plan, jobs))
        .isInstanceOf(PipelineDefinitionException.class)
        .hasMessage(
            """
            Pipeline 'shop' has 2 problems:
              1. Table 'audit' forbids a full refresh (pipelines.reset.allowed=false). Remove it from\
             --full-refresh-tables, or change the table property.
              2. --full-refresh-tables names 'silverr', which is not a table of the pipeline. Tables: [audit,\
             bronze, gold, silver]."""
                .replace("\n", System.lineSeparator()));
  }
}
