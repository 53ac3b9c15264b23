package io.tributary.runtime.analysis;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.SnapshotChanges;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.DefinitionErrors;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.logical.RowType;

/**
 * The row types of the tables change flows write, derived from their sources' row types and the
 * flows' settings, never from a query: an {@code applyChanges} target's from its source dataset, an
 * {@code applyChangesFromSnapshot} target's from its source dataset or from the snapshot function's
 * first snapshot. Each source dataset is analyzed first.
 */
final class ChangeTargetAnalysis {

  private final LogicalPlan plan;
  private final Map<String, DatasetSpec> datasets;
  private final StreamTableEnvironment tableEnv;
  private final DeclaredSchemas declaredSchemas;
  private final AnalysisFindings findings;
  private final Function<String, DatasetState> resolve;

  ChangeTargetAnalysis(
      LogicalPlan plan,
      Map<String, DatasetSpec> datasets,
      StreamTableEnvironment tableEnv,
      DeclaredSchemas declaredSchemas,
      AnalysisFindings findings,
      Function<String, DatasetState> resolve) {
    this.plan = plan;
    this.datasets = datasets;
    this.tableEnv = tableEnv;
    this.declaredSchemas = declaredSchemas;
    this.findings = findings;
    this.resolve = resolve;
  }

  /**
   * The one source dataset of a change flow into {@code target}, analyzed first; empty if it cannot
   * be read (undefined: reported here; failed; or on a cycle: {@code target} is blocked with it).
   */
  private Optional<DatasetState> unreadableSource(DatasetSpec target, String source, String call) {
    if (!datasets.containsKey(source)) {
      return Optional.of(
          findings.failed(
              List.of(
                  DefinitionErrors.undefinedInput(
                      target.name(), source, datasets.keySet(), call))));
    }
    DatasetState state = resolve.apply(source);
    if (state == DatasetState.DONE) {
      return Optional.empty();
    }
    if (state == DatasetState.FAILED) {
      return Optional.of(DatasetState.FAILED);
    }
    findings.waitsOn(target.name(), source);
    return Optional.of(DatasetState.BLOCKED);
  }

  /** An applyChanges target: the merge's layout of its source's columns. */
  DatasetState analyzeCdcTarget(DatasetSpec dataset) {
    ApplyChangesSpec flow =
        plan.applyChanges().stream()
            .filter(a -> a.target().equals(dataset.name()))
            .findFirst()
            .orElseThrow();
    String source = flow.source().orElseThrow();
    Optional<DatasetState> unreadable = unreadableSource(dataset, source, "applyChanges(…).from()");
    if (unreadable.isPresent()) {
      return unreadable.get();
    }
    findings.reads(dataset.name(), List.of(Input.stream(source)));
    List<String> cdcProblems = CdcLayout.problems(flow, findings.rowType(source));
    if (!cdcProblems.isEmpty()) {
      return findings.failed(cdcProblems);
    }
    RowType targetType = CdcLayout.of(flow, findings.rowType(source)).targetType();
    return checkedAgainstDeclared(dataset, targetType);
  }

  /**
   * An applyChangesFromSnapshot target: its columns are the snapshots' selected columns (plus the SCD
   * type 2 interval), taken from the source dataset or from the snapshot function's first snapshot.
   */
  DatasetState analyzeSnapshotTarget(DatasetSpec dataset, SnapshotChangesSpec flow) {
    RowType snapshotType;
    if (flow.sourceDataset().isPresent()) {
      String source = flow.sourceDataset().get();
      Optional<DatasetState> unreadable =
          unreadableSource(dataset, source, "applyChangesFromSnapshot(…).fromSnapshot()");
      if (unreadable.isPresent()) {
        return unreadable.get();
      }
      findings.reads(dataset.name(), List.of(Input.snapshot(source)));
      snapshotType = findings.rowType(source);
    } else {
      findings.reads(dataset.name(), List.of());
      try {
        Optional<SnapshotFunction.Snapshot> first =
            flow.sourceFunction()
                .orElseThrow()
                .next(
                    new SnapshotQueryContext(
                        plan.pipeline(), dataset.name(), tableEnv, plan.configuration()),
                    Optional.empty());
        if (first.isEmpty()) {
          return findings.failed(List.of(AnalysisErrors.noFirstSnapshot(dataset.name())));
        }
        snapshotType = Analyzer.rowType(first.get().rows());
      } catch (PipelineDefinitionException e) {
        return findings.failed(e.problems()); // it read a dataset of the pipeline
      } catch (RuntimeException e) {
        return findings.failed(List.of(AnalysisErrors.snapshotFunctionFailed(dataset.name(), e)));
      }
    }
    List<String> snapshotProblems = SnapshotChanges.problems(flow, snapshotType);
    if (!snapshotProblems.isEmpty()) {
      return findings.failed(snapshotProblems);
    }
    RowType targetType = SnapshotChanges.of(flow, snapshotType).layout().targetType();
    return checkedAgainstDeclared(dataset, targetType);
  }

  /** Registers {@code targetType} once checked against the declared schema; the merge's layout is kept. */
  private DatasetState checkedAgainstDeclared(DatasetSpec dataset, RowType targetType) {
    List<String> declaredProblems = new ArrayList<>();
    declaredSchemas.apply(dataset, targetType, declaredProblems);
    return findings.registered(dataset.name(), targetType, declaredProblems);
  }
}
