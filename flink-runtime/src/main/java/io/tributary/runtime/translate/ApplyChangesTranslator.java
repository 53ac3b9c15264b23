package io.tributary.runtime.translate;

import io.tributary.cdc.CdcLayout;
import io.tributary.cdc.Scd1Function;
import io.tributary.cdc.Scd2Function;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.quality.ConstraintSql;
import io.tributary.runtime.analysis.PlanTables;
import io.tributary.runtime.analysis.ResolvedPlan;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.ApiExpression;
import org.apache.flink.table.api.Expressions;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The translator of an {@code applyChanges} flow, and of the merge by key that
 * {@link SnapshotChangesTranslator} shares with it. Operator uids ({@code truncates}, {@code changes},
 * {@code scd1}, {@code scd2}) are part of the target's saved state: they must not change.
 */
final class ApplyChangesTranslator {

  private final ResolvedPlan plan;
  private final JobIo io;
  private final JobTranslator.FlowStages stages;
  private final Duration tombstoneRetention;

  ApplyChangesTranslator(
      ResolvedPlan plan, JobIo io, JobTranslator.FlowStages stages, Duration tombstoneRetention) {
    this.plan = plan;
    this.io = io;
    this.stages = stages;
    this.tombstoneRetention = tombstoneRetention;
  }

  /**
   * An applyChanges flow: the planner computes the delete and truncate flags from the user's SQL
   * conditions, then the cdc module's keyed functions merge the changes by key and sequence, and
   * the target's Delta table applies the resulting changelog by key (one commit per epoch).
   */
  void translate(
      StreamTableEnvironment tableEnv,
      PlanTables planTables,
      JobContext context,
      DatasetSpec target) {
    ApplyChangesSpec spec =
        plan.plan().applyChanges().stream()
            .filter(a -> a.target().equals(target.name()))
            .findFirst()
            .orElseThrow();
    String source = spec.source().orElseThrow();
    RowType sourceType = plan.schema(source);
    CdcLayout layout = CdcLayout.of(spec, sourceType);
    Table flagged =
        planTables.stream(source)
            .addColumns(
                flag(spec.applyAsDeletes(), sourceType).as(CdcLayout.IS_DELETE),
                flag(spec.applyAsTruncates(), sourceType).as(CdcLayout.IS_TRUNCATE));
    DataStream<RowData> changes = JobTranslator.toStream(tableEnv, flagged, layout.inputType());
    io.writeChanges(
        stages.written(context, target, merge(changes, layout, context, target)),
        context,
        target,
        layout.targetType(),
        layout.targetKeyColumns());
  }

  /**
   * The changelog of {@code target}'s rows from a change feed (rows of {@code layout.inputType()}):
   * the cdc module's keyed functions merge the changes by key and sequence, whatever their order.
   */
  DataStream<RowData> merge(
      DataStream<RowData> changes, CdcLayout layout, JobContext context, DatasetSpec target) {
    DataStream<RowData> merged;
    if (layout.scdType() == 1) {
      int truncate = layout.isTruncateIndex();
      DataStream<RowData> truncates =
          changes
              .filter(row -> row.getBoolean(truncate))
              .name(target.name() + ": truncates")
              .uid(context.uid(target.name(), "truncates"));
      merged =
          changes
              .filter(row -> !row.getBoolean(truncate))
              .name(target.name() + ": changes")
              .uid(context.uid(target.name(), "changes"))
              .keyBy(layout.keySelector(), layout.keyTypeInfo())
              .connect(truncates.broadcast(Scd1Function.truncateStateDescriptor(layout)))
              .process(new Scd1Function(layout, tombstoneRetention), layout.targetTypeInfo())
              .name(target.name() + ": apply changes (SCD type 1)")
              .uid(context.uid(target.name(), "scd1"));
    } else {
      merged =
          changes
              .keyBy(layout.keySelector(), layout.keyTypeInfo())
              .process(new Scd2Function(layout), layout.targetTypeInfo())
              .name(target.name() + ": apply changes (SCD type 2)")
              .uid(context.uid(target.name(), "scd2"));
    }
    return merged;
  }

  private static ApiExpression flag(Optional<String> condition, RowType columns) {
    return condition
        .map(
            c ->
                Expressions.callSql(
                    "(" + ConstraintSql.toFlinkSql(c, columns.getFieldNames()) + "\n) IS TRUE"))
        .orElse(Expressions.lit(false));
  }
}
