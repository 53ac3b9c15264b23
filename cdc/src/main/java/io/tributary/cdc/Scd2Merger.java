package io.tributary.cdc;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

/**
 * The SCD type 2 rules, free of Flink's runtime. A key's state is its changes, one per sequence value,
 * sorted; its versions are a function of that set alone, so they do not depend on arrival order or on
 * how changes are split into batches. A late change is slotted into history, splitting or merging
 * intervals; the target rows whose version changed are re-emitted, vanished versions deleted.
 *
 * <p>Versions, walking the changes in sequence order: an upsert with no current version opens one; an
 * upsert that changes a tracked column closes the current version at its sequence and opens the next;
 * an upsert that changes only untracked columns (or nothing) updates the current version in place; a
 * delete closes the current version at its sequence. With {@code ignoreNullUpdates}, NULLs take the
 * current version's values. At an equal sequence a delete wins over an upsert; exact duplicates are
 * no-ops; of two different upserts with one sequence (a fault of the feed) the first applied is kept.
 *
 * <p>Keeping every change costs state proportional to the key's history, which the target keeps too;
 * it is what makes slotting exact when {@code ignoreNullUpdates} lets a late change fill later NULLs.
 *
 * <pre>{@code
 * Scd2Merger merger = new Scd2Merger(layout);
 * MergeResult<List<ChangeEvent>> r = merger.apply(List.of(), events);
 * merger.versions(r.state());   // the key's history
 * }</pre>
 */
public final class Scd2Merger implements Serializable {

  private static final long serialVersionUID = 1L;

  private final CdcLayout layout;
  private final SequenceOrder order;
  private final int[] tracked;

  public Scd2Merger(CdcLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    if (layout.scdType() != 2) {
      throw new IllegalArgumentException(
          "applyChanges into '" + layout.target() + "' is SCD type 1");
    }
    this.order = new SequenceOrder(layout.sequenceType());
    this.tracked = layout.trackedIndexes();
  }

  /** Merges {@code events} (any order) into {@code history} (sorted, one change per sequence). */
  public MergeResult<List<ChangeEvent>> apply(List<ChangeEvent> history, List<ChangeEvent> events) {
    TreeMap<RowData, ChangeEvent> changes = new TreeMap<>(order);
    for (ChangeEvent event : history) {
      changes.put(event.sequence(), event);
    }
    boolean changed = false;
    for (ChangeEvent event : events) {
      ChangeEvent existing = changes.get(event.sequence());
      if (existing == null || (event.delete() && !existing.delete())) {
        changes.put(event.sequence(), event);
        changed = true;
      }
    }
    if (!changed) {
      return new MergeResult<>(history, List.of());
    }
    List<ChangeEvent> next = new ArrayList<>(changes.values());
    return new MergeResult<>(next, diff(versions(history), versions(next)));
  }

  /** The versions of a key with these changes (sorted by sequence), oldest first. */
  public List<Scd2Version> versions(List<ChangeEvent> history) {
    RowType type = layout.valuesType();
    List<Scd2Version> versions = new ArrayList<>();
    RowData start = null;
    RowData values = null;
    for (ChangeEvent event : history) {
      if (event.delete()) {
        if (start != null) {
          versions.add(new Scd2Version(start, event.sequence(), values));
          start = null;
          values = null;
        }
        continue;
      }
      RowData incoming =
          values != null && layout.ignoreNullUpdates()
              ? fillNulls(event.values(), values, type)
              : event.values();
      if (start == null) {
        start = event.sequence();
      } else if (!sameTracked(values, incoming, type)) {
        versions.add(new Scd2Version(start, event.sequence(), values));
        start = event.sequence();
      }
      values = incoming;
    }
    if (start != null) {
      versions.add(new Scd2Version(start, null, values));
    }
    return versions;
  }

  private boolean sameTracked(RowData a, RowData b, RowType type) {
    for (int position : tracked) {
      if (!Rows.equalAt(a, b, type, position)) {
        return false;
      }
    }
    return true;
  }

  private static RowData fillNulls(RowData incoming, RowData current, RowType type) {
    GenericRowData row = new GenericRowData(type.getFieldCount());
    RowData.FieldGetter[] getters = Rows.getters(type);
    for (int i = 0; i < row.getArity(); i++) {
      Object value = getters[i].getFieldOrNull(incoming);
      row.setField(i, value != null ? value : getters[i].getFieldOrNull(current));
    }
    return row;
  }

  private List<RowData> diff(List<Scd2Version> before, List<Scd2Version> after) {
    Map<RowData, Scd2Version> old = new TreeMap<>(order);
    for (Scd2Version version : before) {
      old.put(version.start(), version);
    }
    List<RowData> changes = new ArrayList<>();
    for (Scd2Version version : after) {
      Scd2Version previous = old.remove(version.start());
      if (previous == null) {
        changes.add(version.toTargetRow(layout, RowKind.INSERT));
      } else if (!sameVersion(previous, version)) {
        changes.add(version.toTargetRow(layout, RowKind.UPDATE_AFTER));
      }
    }
    for (Scd2Version vanished : old.values()) {
      changes.add(vanished.toTargetRow(layout, RowKind.DELETE));
    }
    return changes;
  }

  private boolean sameVersion(Scd2Version a, Scd2Version b) {
    boolean sameEnd =
        a.end() == null ? b.end() == null : b.end() != null && order.compare(a.end(), b.end()) == 0;
    return sameEnd && Rows.equal(a.values(), b.values(), layout.valuesType());
  }
}
