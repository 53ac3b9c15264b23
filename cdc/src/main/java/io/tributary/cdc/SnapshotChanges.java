package io.tributary.cdc;

import io.tributary.dsl.plan.SnapshotChangesSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Where an {@code applyChangesFromSnapshot} flow's rows sit. The flow is run as a change feed: the
 * diffs of consecutive snapshots become changes sequenced by {@value #VERSION} (the snapshot
 * version), laid out and merged by the same {@link CdcLayout}, {@link Scd1Function} and {@link
 * Scd2Function} as {@code applyChanges}, and written to the target by key.
 *
 * <p>The diff's input rows ({@link #diffType()}) are the snapshot's columns, {@value #VERSION} and
 * {@value #IS_PREVIOUS}: snapshot rows carry their snapshot's version and false; the target's current
 * rows (the previous snapshot as applied) carry true and as version their {@code __START_AT} (SCD
 * type 2) or {@link Long#MIN_VALUE} (SCD type 1), with the columns the target does not keep NULL.
 *
 * <pre>{@code
 * SnapshotChanges changes = SnapshotChanges.of(spec, snapshotType); // after problems(spec, snapshotType) is empty
 * diffInput.keyBy(changes.layout().keySelector(), changes.layout().keyTypeInfo())
 *     .process(new SnapshotDiffFunction(changes, versions), changes.layout().inputTypeInfo());
 * }</pre>
 */
public final class SnapshotChanges implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Column of the change feed (and the diff's input): the snapshot version, the changes' sequence. */
  public static final String VERSION = "__snapshot_version";

  /** Column of the diff's input: true for a row of the target as it stands (the previous snapshot). */
  public static final String IS_PREVIOUS = "__is_previous";

  /** Target table property: the last snapshot version applied, written in the same commit as its rows. */
  public static final String VERSION_PROPERTY = "tributary.snapshot.version";

  private final RowType snapshotType;
  private final CdcLayout layout;
  private final RowType diffType;

  private SnapshotChanges(RowType snapshotType, CdcLayout layout) {
    this.snapshotType = snapshotType;
    this.layout = layout;
    List<RowType.RowField> fields = new ArrayList<>(layout.sourceType().getFields());
    fields.add(new RowType.RowField(IS_PREVIOUS, new BooleanType(false)));
    this.diffType = new RowType(fields);
  }

  /**
   * Every problem of this flow against its snapshots' columns, each a whole message naming the
   * target (empty when the flow is valid).
   */
  public static List<String> problems(SnapshotChangesSpec spec, RowType snapshotType) {
    List<String> problems = new ArrayList<>();
    for (String name : snapshotType.getFieldNames()) {
      if (name.equalsIgnoreCase(VERSION) || name.equalsIgnoreCase(IS_PREVIOUS)) {
        problems.add(
            "applyChangesFromSnapshot into '"
                + spec.target()
                + "': the snapshots have a column named '"
                + name
                + "', a name reserved for the snapshot diff. Rename it in the source.");
      }
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    String feedPrefix = "applyChanges into '" + spec.target() + "'";
    for (String problem : CdcLayout.problems(spec.changeFeed(VERSION), feedType(snapshotType))) {
      problems.add(
          problem
              .replace(feedPrefix, "applyChangesFromSnapshot into '" + spec.target() + "'")
              .replace("of the source.", "of the snapshots.")
              .replace(", " + VERSION + "]", "]")
              .replace("the source has", "the snapshots have"));
    }
    return problems;
  }

  /**
   * The user's snapshots of one run make other target columns than the pipeline was analyzed with: a
   * fault of the snapshots, not of Tributary.
   */
  public static ChangeDataException targetChanged(
      String target, long version, RowType targetType, RowType analyzed) {
    return CdcErrors.snapshotTargetChangedChange(target, version, targetType, analyzed);
  }

  /** One snapshot of a run has other columns than the run's first. */
  public static ChangeDataException columnsChanged(
      String target, long version, RowType type, long firstVersion, RowType firstType) {
    return CdcErrors.snapshotColumnsChangedChange(target, version, type, firstVersion, firstType);
  }

  /**
   * The layout of a valid flow.
   *
   * @throws IllegalArgumentException when {@link #problems} is not empty: callers validate first
   */
  public static SnapshotChanges of(SnapshotChangesSpec spec, RowType snapshotType) {
    List<String> problems = problems(spec, snapshotType);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid applyChangesFromSnapshot flow (validate with"
              + " SnapshotChanges.problems first): "
              + String.join(" | ", problems));
    }
    return new SnapshotChanges(
        snapshotType, CdcLayout.of(spec.changeFeed(VERSION), feedType(snapshotType)));
  }

  private static RowType feedType(RowType snapshotType) {
    List<RowType.RowField> fields = new ArrayList<>(snapshotType.getFields());
    fields.add(new RowType.RowField(VERSION, new BigIntType(false)));
    return new RowType(fields);
  }

  /** The columns of one snapshot. */
  public RowType snapshotType() {
    return snapshotType;
  }

  /** The change feed's layout: its input rows are the diff's output, its target rows the target's. */
  public CdcLayout layout() {
    return layout;
  }

  /** The diff's input rows: a snapshot's columns, {@value #VERSION} and {@value #IS_PREVIOUS}. */
  public RowType diffType() {
    return diffType;
  }

  public InternalTypeInfo<RowData> diffTypeInfo() {
    return InternalTypeInfo.of(diffType);
  }

  public InternalTypeInfo<RowData> feedTypeInfo() {
    return InternalTypeInfo.of(layout.inputType());
  }

  int versionIndex() {
    return snapshotType.getFieldCount();
  }

  int isPreviousIndex() {
    return snapshotType.getFieldCount() + 1;
  }

  /**
   * Whether a target row is current, so part of the previous snapshot: every row for SCD type 1, the
   * open version ({@code __END_AT} NULL) for SCD type 2.
   */
  public boolean isCurrent(RowData targetRow) {
    return layout.scdType() == 1 || targetRow.isNullAt(layout.valuesType().getFieldCount() + 1);
  }

  /** Makes a current target row a diff input row: the previous snapshot's row of its key. */
  public MapFunction<RowData, RowData> previousRow() {
    return new PreviousRow(this);
  }

  /** A snapshot row of {@code version} as a diff input row. */
  public RowData snapshotRow(RowData snapshot, long version) {
    GenericRowData row = Rows.copy(snapshot, snapshotType);
    GenericRowData result = new GenericRowData(diffType.getFieldCount());
    for (int i = 0; i < row.getArity(); i++) {
      result.setField(i, row.getField(i));
    }
    result.setField(versionIndex(), version);
    result.setField(isPreviousIndex(), false);
    return result;
  }

  private static final class PreviousRow implements MapFunction<RowData, RowData> {
    private static final long serialVersionUID = 1L;
    private final SnapshotChanges changes;

    PreviousRow(SnapshotChanges changes) {
      this.changes = Objects.requireNonNull(changes, "changes");
    }

    @Override
    public RowData map(RowData target) {
      CdcLayout layout = changes.layout;
      GenericRowData values = Rows.copy(target, layout.targetType());
      GenericRowData row = new GenericRowData(changes.diffType.getFieldCount());
      int[] selected = layout.selectedIndexes();
      for (int p = 0; p < selected.length; p++) {
        row.setField(selected[p], values.getField(p));
      }
      // SCD type 2: the version that opened the current row is the sequence its replay must carry
      row.setField(
          changes.versionIndex(),
          layout.scdType() == 2
              ? values.getField(layout.valuesType().getFieldCount())
              : Long.MIN_VALUE);
      row.setField(changes.isPreviousIndex(), true);
      return row;
    }
  }
}
