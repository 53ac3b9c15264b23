package io.tributary.runtime.translate;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.SnapshotChanges;
import io.tributary.cdc.SnapshotDiffOperator;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import io.tributary.runtime.analysis.EventTime;
import io.tributary.runtime.analysis.PlanTables;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.analysis.SnapshotQueryContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The translator of an {@code applyChangesFromSnapshot} flow, its own job ({@code snapshot_<target>}). */
final class SnapshotChangesTranslator {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotChangesTranslator.class);

  private final ResolvedPlan plan;
  private final JobIo io;
  private final JobTranslator.FlowStages stages;
  private final ApplyChangesTranslator applyChanges;

  SnapshotChangesTranslator(
      ResolvedPlan plan,
      JobIo io,
      JobTranslator.FlowStages stages,
      ApplyChangesTranslator applyChanges) {
    this.plan = plan;
    this.io = io;
    this.stages = stages;
    this.applyChanges = applyChanges;
  }

  /**
   * An applyChangesFromSnapshot flow: the snapshots not applied yet (the source dataset's, or those
   * its function returns after the version the target's last commit recorded), joined by key with
   * the target's current rows and diffed by {@link SnapshotDiffOperator}; the diffs are a change feed
   * sequenced by snapshot version, merged and written as {@link ApplyChangesTranslator} does. The last
   * version goes into the target's properties in the same Delta commit as its rows, so a crash
   * before the commit re-applies it and one after does not.
   */
  void translate(
      StreamExecutionEnvironment env,
      StreamTableEnvironment tableEnv,
      PlanTables planTables,
      JobContext context,
      DatasetSpec target,
      SnapshotChangesSpec spec) {
    String name = target.name();
    RowType targetType = plan.schema(name);
    Optional<Map<String, String>> properties = io.tableProperties(context, name);
    Optional<Long> applied =
        properties.map(p -> p.get(SnapshotChanges.VERSION_PROPERTY)).map(Long::parseLong);
    List<SnapshotFunction.Snapshot> snapshots = new ArrayList<>();
    if (spec.sourceDataset().isPresent()) {
      snapshots.add(
          SnapshotFunction.snapshot(
              planTables.snapshot(spec.sourceDataset().get()), applied.orElse(0L) + 1));
    } else {
      SnapshotQueryContext ctx =
          new SnapshotQueryContext(
              plan.plan().pipeline(), name, tableEnv, plan.plan().configuration());
      Optional<Long> latest = applied;
      for (Optional<SnapshotFunction.Snapshot> next =
              spec.sourceFunction().orElseThrow().next(ctx, latest);
          next.isPresent();
          next = spec.sourceFunction().get().next(ctx, latest)) {
        long version = next.get().version();
        if (latest.isPresent() && version <= latest.get()) {
          LOG.warn(
              "applyChangesFromSnapshot into '{}': the snapshot function returned version {} after version {};"
                  + " skipped, and no further snapshot is asked for in this update",
              name,
              version,
              latest.get());
          break;
        }
        snapshots.add(next.get());
        latest = Optional.of(version);
      }
    }
    if (snapshots.isEmpty()) {
      // nothing new: an empty changelog, which commits nothing (or creates the table on the first
      // update)
      CdcLayout layout = targetLayout(spec, targetType);
      io.writeChanges(
          empty(env, layout.targetTypeInfo(), name + ": no new snapshot"),
          context,
          target,
          layout.targetType(),
          layout.targetKeyColumns());
      return;
    }
    RowType snapshotType =
        EventTime.physical(EventTime.rowType(snapshots.get(0).rows().getResolvedSchema()));
    SnapshotChanges changes = SnapshotChanges.of(spec, snapshotType);
    if (!changes.layout().targetType().equals(targetType)) {
      throw SnapshotChanges.targetChanged(
          name, snapshots.get(0).version(), changes.layout().targetType(), targetType);
    }
    long[] versions = new long[snapshots.size()];
    DataStream<RowData> diffInput;
    if (properties.isPresent()) {
      diffInput =
          io.readSnapshot(env, context, name, targetType)
              .rows()
              .filter(changes::isCurrent)
              .name(name + ": current rows")
              .map(changes.previousRow(), changes.diffTypeInfo())
              .name(name + ": previous snapshot");
    } else {
      diffInput = empty(env, changes.diffTypeInfo(), name + ": no previous snapshot");
    }
    for (int i = 0; i < snapshots.size(); i++) {
      SnapshotFunction.Snapshot snapshot = snapshots.get(i);
      RowType type = EventTime.physical(EventTime.rowType(snapshot.rows().getResolvedSchema()));
      if (!type.equals(snapshotType)) {
        throw SnapshotChanges.columnsChanged(
            name, snapshot.version(), type, snapshots.get(0).version(), snapshotType);
      }
      long version = snapshot.version();
      versions[i] = version;
      diffInput =
          diffInput.union(
              JobTranslator.toStream(tableEnv, snapshot.rows(), snapshotType)
                  .map(row -> changes.snapshotRow(row, version), changes.diffTypeInfo())
                  .name(name + ": snapshot " + version));
    }
    CdcLayout layout = changes.layout();
    DataStream<RowData> feed =
        diffInput
            .keyBy(layout.keySelector(), layout.keyTypeInfo())
            .transform(
                name + ": diff snapshots " + Arrays.toString(versions),
                changes.feedTypeInfo(),
                new SnapshotDiffOperator(changes, versions))
            .uid(context.uid(name, "snapshot-diff"));
    DatasetSpec recorded =
        target.withProperty(
            SnapshotChanges.VERSION_PROPERTY, Long.toString(versions[versions.length - 1]));
    io.writeChanges(
        stages.written(context, target, applyChanges.merge(feed, layout, context, target)),
        context,
        recorded,
        layout.targetType(),
        layout.targetKeyColumns());
  }

  /** A stream of no rows (Flink's collection source refuses an empty collection). */
  private static DataStream<RowData> empty(
      StreamExecutionEnvironment env, InternalTypeInfo<RowData> type, String name) {
    return env.fromData(0)
        .name(name)
        .flatMap((Integer ignored, Collector<RowData> out) -> {}, type)
        .name(name);
  }

  /** The layout of a snapshot flow whose snapshots are not at hand, from the target's analyzed columns. */
  private static CdcLayout targetLayout(SnapshotChangesSpec spec, RowType targetType) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : targetType.getFields()) {
      if (!field.getName().equals(CdcLayout.START_AT)
          && !field.getName().equals(CdcLayout.END_AT)) {
        fields.add(field);
      }
    }
    SnapshotChangesSpec columns = spec.withColumnList(List.of()).withExceptColumnList(List.of());
    return SnapshotChanges.of(columns, new RowType(fields)).layout();
  }
}
