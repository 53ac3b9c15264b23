package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.ReadMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.types.logical.RowType;

/**
 * A streaming table fed by append flows (and perhaps by its own query, its default flow): each
 * flow's query is analyzed as a dataset named after the flow, and every flow must produce the same
 * columns (names and types, in any order); the table's row type is the first flow's, each column
 * nullable if any flow's is.
 */
final class AppendFlowTargetAnalysis {

  private final LogicalPlan plan;
  private final QueryReads reads;
  private final StreamingChecks streaming;
  private final DeclaredSchemas declaredSchemas;
  private final List<Analyzer.DatasetCheck> checks;
  private final AnalysisFindings findings;

  AppendFlowTargetAnalysis(
      LogicalPlan plan,
      QueryReads reads,
      StreamingChecks streaming,
      DeclaredSchemas declaredSchemas,
      List<Analyzer.DatasetCheck> checks,
      AnalysisFindings findings) {
    this.plan = plan;
    this.reads = reads;
    this.streaming = streaming;
    this.declaredSchemas = declaredSchemas;
    this.checks = checks;
    this.findings = findings;
  }

  DatasetState analyze(DatasetSpec target) {
    Map<String, DatasetSpec> flows = new LinkedHashMap<>();
    target.query().ifPresent(q -> flows.put(target.name(), target));
    List<AppendFlowSpec> appendFlows = plan.appendFlowsInto(target.name());
    appendFlows.forEach(f -> flows.put(f.name(), f.asDataset()));
    Map<String, RowType> types = new LinkedHashMap<>();
    Map<String, List<Input>> flowReads = new LinkedHashMap<>();
    List<String> targetProblems = new ArrayList<>();
    for (DatasetSpec flow : flows.values()) {
      boolean once = appendFlows.stream().anyMatch(f -> f.name().equals(flow.name()) && f.once());
      QueryOutcome.Reader reader =
          flow == target ? QueryOutcome.Reader.DATASET : QueryOutcome.Reader.FLOW;
      QueryOutcome outcome = reads.run(flow, reader);
      if (outcome.kind() == QueryOutcome.Kind.INPUT_BLOCKED) {
        flowReads.keySet().forEach(findings::forgetReads);
        return DatasetState.BLOCKED;
      }
      if (outcome.kind() == QueryOutcome.Kind.INPUT_FAILED) {
        return DatasetState.FAILED;
      }
      if (outcome.kind() == QueryOutcome.Kind.PROBLEM) {
        targetProblems.add(outcome.problem());
        continue;
      }
      DatasetQueries.Built built = outcome.built();
      flowReads.put(flow.name(), built.inputs());
      findings.reads(flow.name(), built.inputs());
      try {
        types.put(flow.name(), Analyzer.rowType(built.table()));
        if (!once) {
          checkStreaming(target, flow, built.table(), targetProblems);
        }
      } catch (RuntimeException e) {
        targetProblems.add(reader.queryFailed(flow, e));
      }
    }
    if (!targetProblems.isEmpty()) {
      return findings.failed(targetProblems);
    }
    RowType targetType = FlowTypes.targetType(target.name(), types, targetProblems);
    findings.reads(target.name(), flowReads.getOrDefault(target.name(), List.of()));
    if (targetType != null) {
      Table table = reads.table("__flows_" + target.name(), targetType);
      RowTypeChecks.checkDropDuplicates(target, targetType, targetProblems);
      for (Analyzer.DatasetCheck check : checks) {
        targetProblems.addAll(check.check(target, table));
      }
      RowType declared = declaredSchemas.apply(target, targetType, targetProblems);
      targetType = RowTypeChecks.readsSourceDirectly(target) ? targetType : declared;
    }
    DatasetState state = findings.registered(target.name(), targetType, targetProblems);
    if (state == DatasetState.DONE) {
      // each flow's own row type, which its sources produce before its columns are put in the
      // table's order
      types.forEach(
          (flow, type) -> {
            if (!flow.equals(target.name())) {
              findings.flowRowType(flow, type);
            }
          });
    }
    return state;
  }

  /**
   * The target's own query is checked as a streaming table's; another flow (unless it runs once)
   * must read no snapshot and produce an append-only stream.
   */
  private void checkStreaming(
      DatasetSpec target, DatasetSpec flow, Table table, List<String> targetProblems) {
    if (flow == target) {
      streaming.checkStreamingQuery(flow, table, targetProblems);
      return;
    }
    List<String> snapshotReads = new ArrayList<>();
    streaming.checkNoSnapshotReads(flow, flow.name(), "", snapshotReads);
    if (!snapshotReads.isEmpty()) {
      targetProblems.add(AnalysisErrors.snapshotReadInFlow(flow.name(), snapshotRead(flow.name())));
    } else {
      streaming
          .updatingError(flow, table)
          .ifPresent(
              e ->
                  targetProblems.add(
                      AnalysisErrors.updatingFlowQuery(flow.name(), target.name(), e)));
    }
  }

  /** The first snapshot read of {@code flow}, for its problem's text. */
  private String snapshotRead(String flow) {
    return findings.inputs(flow).stream()
        .filter(i -> i.mode() == ReadMode.SNAPSHOT)
        .map(Input::dataset)
        .findFirst()
        .orElse("?");
  }
}
