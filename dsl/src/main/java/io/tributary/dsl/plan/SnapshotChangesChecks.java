package io.tributary.dsl.plan;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The structural checks of {@code applyChangesFromSnapshot} flows, apart from {@link LogicalPlan}'s
 * others since they share nothing but the target rules; columns are checked by analysis, which knows
 * the snapshots' columns.
 */
final class SnapshotChangesChecks {

  private SnapshotChangesChecks() {}

  static void check(
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<SnapshotChangesSpec> snapshotChanges,
      List<String> problems) {
    Map<String, DatasetSpec> byName = new HashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    Set<String> changeFeedTargets =
        applyChanges.stream().map(ApplyChangesSpec::target).collect(Collectors.toSet());
    Map<String, Integer> flowsPerTarget = new LinkedHashMap<>();
    for (SnapshotChangesSpec flow : snapshotChanges) {
      String target = flow.target();
      if (flowsPerTarget.merge(target, 1, Integer::sum) > 1) {
        continue; // reported once below
      }
      DatasetSpec dataset = byName.get(target);
      if (dataset == null) {
        problems.add(ChangeFeedErrors.snapshotTargetUndefined(target));
      } else if (!dataset.cdcTarget()) {
        problems.add(ChangeFeedErrors.snapshotTargetNotCreated(target, dataset));
      }
      if (changeFeedTargets.contains(target)) {
        problems.add(ChangeFeedErrors.snapshotTargetAlsoApplyChanges(target));
      }
      if (flow.sourceDataset().isEmpty() && flow.sourceFunction().isEmpty()) {
        problems.add(
            ChangeFeedErrors.snapshotMissing(
                target,
                "source (where the snapshots come from)",
                "fromSnapshot(\"<dataset>\") or fromSnapshots(function)"));
      }
      if (flow.keys().isEmpty()) {
        problems.add(
            ChangeFeedErrors.snapshotMissing(
                target, "keys (the columns that identify a row)", "keys(\"<column>\", …)"));
      }
      if (flow.scdType() != 1 && flow.scdType() != 2) {
        problems.add(ChangeFeedErrors.snapshotScdType(target, flow.scdType()));
      }
      if (!flow.columnList().isEmpty() && !flow.exceptColumnList().isEmpty()) {
        problems.add(ChangeFeedErrors.snapshotBothLists(target, "columnList", "exceptColumnList"));
      }
      if (!flow.trackHistoryColumnList().isEmpty()
          && !flow.trackHistoryExceptColumnList().isEmpty()) {
        problems.add(
            ChangeFeedErrors.snapshotBothLists(
                target, "trackHistoryColumnList", "trackHistoryExceptColumnList"));
      }
      boolean tracksHistory =
          !flow.trackHistoryColumnList().isEmpty()
              || !flow.trackHistoryExceptColumnList().isEmpty();
      if (tracksHistory && flow.scdType() == 1) {
        problems.add(ChangeFeedErrors.snapshotHistoryOnType1(target));
      }
    }
    flowsPerTarget.forEach(
        (target, count) -> {
          if (count > 1) {
            problems.add(ChangeFeedErrors.snapshotMultipleFlows(target, count));
          }
        });
  }
}
