package io.tributary.cdc;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/**
 * The diff of one key's rows across the previous snapshot and the new snapshots of one run, as a
 * change feed (rows of {@link CdcLayout#inputType()} of {@link SnapshotChanges#layout()}) that {@link
 * Scd1Function}/{@link Scd2Function} apply. Free of Flink's runtime; {@link SnapshotDiffOperator}
 * runs it for every key once its input has ended.
 *
 * <p>For each snapshot version, in order: a key only in the new snapshot is an upsert, a key in both
 * whose kept columns differ an upsert, a key only in the old a delete, each sequenced by the version;
 * an unchanged key is nothing. A key that changes also replays its current row first, so the merger,
 * whose state starts empty in each run, knows the row the change replaces or deletes: for SCD type 2
 * at its {@code __START_AT} (the open version the change closes or updates), for SCD type 1 at the
 * lowest sequence there is.
 *
 * <pre>{@code
 * SnapshotDiff diff = new SnapshotDiff(changes, new long[] {7});
 * List<RowData> feed = diff.diff(List.of(previousRow, snapshotRow));
 * }</pre>
 */
public final class SnapshotDiff implements Serializable {

  private static final long serialVersionUID = 1L;

  private final SnapshotChanges changes;
  private final long[] versions;

  /**
   * @param versions the versions of this run's snapshots: a key absent from one of them is deleted
   *     at that version
   */
  public SnapshotDiff(SnapshotChanges changes, long[] versions) {
    this.changes = Objects.requireNonNull(changes, "changes");
    this.versions = versions.clone();
    Arrays.sort(this.versions);
  }

  /** The change feed of one key's rows (the previous one, if any, and one per snapshot that has the key). */
  public List<RowData> diff(List<RowData> keyRows) {
    CdcLayout layout = changes.layout();
    RowData previous = null;
    RowData[] byVersion = new RowData[versions.length];
    for (RowData row : keyRows) {
      if (row.getBoolean(changes.isPreviousIndex())) {
        previous = row;
        continue;
      }
      int at = Arrays.binarySearch(versions, row.getLong(changes.versionIndex()));
      if (at < 0) {
        throw new IllegalStateException(
            "snapshot row of version "
                + row.getLong(changes.versionIndex())
                + " is not among the run's versions "
                + Arrays.toString(versions));
      }
      if (byVersion[at] != null) {
        throw CdcErrors.duplicateSnapshotKey(
            layout.target(), versions[at], Rows.describe(layout.key(row), layout.keyType()));
      }
      byVersion[at] = row;
    }
    List<RowData> feed = new ArrayList<>();
    RowData current = previous;
    for (int i = 0; i < versions.length; i++) {
      RowData next = byVersion[i];
      if (next != null && (current == null || !sameValues(current, next))) {
        feed.add(change(next, versions[i], false));
      } else if (next == null && current != null) {
        feed.add(change(current, versions[i], true));
      }
      current = next;
    }
    if (!feed.isEmpty() && previous != null) {
      feed.add(0, change(previous, previous.getLong(changes.versionIndex()), false));
    }
    return feed;
  }

  private boolean sameValues(RowData a, RowData b) {
    CdcLayout layout = changes.layout();
    return Rows.equal(
        Rows.project(a, layout.sourceType(), layout.selectedIndexes()),
        Rows.project(b, layout.sourceType(), layout.selectedIndexes()),
        layout.valuesType());
  }

  private RowData change(RowData row, long version, boolean delete) {
    int width = changes.snapshotType().getFieldCount();
    GenericRowData change = new GenericRowData(changes.layout().inputType().getFieldCount());
    GenericRowData copy = Rows.copy(row, changes.diffType());
    for (int i = 0; i < width; i++) {
      change.setField(i, copy.getField(i));
    }
    change.setField(changes.versionIndex(), version);
    change.setField(width + 1, delete);
    change.setField(width + 2, false);
    return change;
  }
}
