package io.tributary.dsl;

import io.tributary.dsl.plan.SnapshotChangesSpec;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An {@code applyChangesFromSnapshot} flow being declared (DLT's {@code
 * create_auto_cdc_from_snapshot_flow}). The step interfaces ask for the source, then the keys, so a
 * chain that compiles names both; the options follow.
 */
public final class ApplyChangesFromSnapshotBuilder {

  /** The first step: where the snapshots come from. */
  public interface From {
    /** A table or view of the pipeline, read in full once per update: each update applies one snapshot. */
    Keys fromSnapshot(String dataset);

    /** Snapshots from outside the pipeline, as many per update as {@code function} returns, in version order. */
    Keys fromSnapshots(SnapshotFunction function);
  }

  /** The second step: the columns that identify a row. */
  public interface Keys {
    /** One or more columns whose values identify a row of the snapshots and the target. */
    ApplyChangesFromSnapshotBuilder keys(String... columns);
  }

  private final Pipeline pipeline;
  private final int index;

  ApplyChangesFromSnapshotBuilder(Pipeline pipeline, int index) {
    this.pipeline = pipeline;
    this.index = index;
  }

  From fromStep() {
    Keys keys =
        columns -> {
          List<String> list = List.of(columns);
          return update(spec -> spec.withKeys(list));
        };
    return new From() {
      @Override
      public Keys fromSnapshot(String dataset) {
        Objects.requireNonNull(dataset, "dataset");
        update(spec -> spec.withSourceDataset(dataset));
        return keys;
      }

      @Override
      public Keys fromSnapshots(SnapshotFunction function) {
        Objects.requireNonNull(function, "function");
        update(spec -> spec.withSourceFunction(function));
        return keys;
      }
    };
  }

  /** Only these columns of the snapshots are written to the target. */
  public ApplyChangesFromSnapshotBuilder columnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withColumnList(list));
  }

  /** Every column of the snapshots but these is written to the target. */
  public ApplyChangesFromSnapshotBuilder exceptColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withExceptColumnList(list));
  }

  /**
   * 1 keeps the latest snapshot's rows (the default); 2 keeps a row per version, with {@code
   * __START_AT} and {@code __END_AT} the snapshot versions that opened and closed it.
   */
  public ApplyChangesFromSnapshotBuilder storedAsScdType(int type) {
    return update(spec -> spec.withScdType(type));
  }

  /** SCD type 2: only changes to these columns open a new version; others update the current row. */
  public ApplyChangesFromSnapshotBuilder trackHistoryColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withTrackHistoryColumnList(list));
  }

  /** SCD type 2: changes to any column but these open a new version. */
  public ApplyChangesFromSnapshotBuilder trackHistoryExceptColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withTrackHistoryExceptColumnList(list));
  }

  private ApplyChangesFromSnapshotBuilder update(UnaryOperator<SnapshotChangesSpec> change) {
    pipeline.updateSnapshotChanges(index, change);
    return this;
  }
}
