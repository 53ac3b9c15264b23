package io.tributary.cdc;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

/**
 * The SCD type 1 rules, free of Flink's runtime: merges a batch of one key's changes into its state
 * and says which target row changed. Applying changes one at a time, in any order, or in batches of
 * any split, yields the same state as applying them all sorted by sequence:
 * <ul>
 *   <li>an upsert not newer than the key's newest upsert or its tombstone is ignored (so exact
 *       duplicates are no-ops, and at an equal sequence a delete wins over an upsert);</li>
 *   <li>a delete keeps its sequence as a tombstone, so a late older upsert does not bring the key back;</li>
 *   <li>with {@code ignoreNullUpdates}, a NULL keeps the column's value: each column holds its newest
 *       non-NULL write after the tombstone.</li>
 * </ul>
 * Two different upserts of one key with the same sequence are a fault of the feed: the first applied
 * is kept.
 *
 * <pre>{@code
 * Scd1Merger merger = new Scd1Merger(layout);
 * MergeResult<Scd1State> r = merger.apply(null, List.of(layout.toEvent(row1), layout.toEvent(row2)));
 * r.changes();   // [+I(...)]
 * }</pre>
 */
public final class Scd1Merger implements Serializable {

  private static final long serialVersionUID = 1L;

  private final CdcLayout layout;
  private final SequenceOrder order;

  public Scd1Merger(CdcLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.order = new SequenceOrder(layout.sequenceType());
  }

  /** Applies {@code events} (any order) to {@code state} ({@code null}: the key has no state). */
  public MergeResult<Scd1State> apply(Scd1State state, List<ChangeEvent> events) {
    Scd1State next = state;
    for (ChangeEvent event : events) {
      next = event.delete() ? delete(next, event.sequence()) : upsert(next, event);
    }
    RowData before = state == null ? null : state.values();
    RowData after = next == null ? null : next.values();
    return new MergeResult<>(next, change(before, after));
  }

  private Scd1State upsert(Scd1State state, ChangeEvent event) {
    RowData sequence = event.sequence();
    if (state != null
        && state.deleteSequence() != null
        && order.compare(sequence, state.deleteSequence()) <= 0) {
      return state;
    }
    RowData deleted = state == null ? null : state.deleteSequence();
    if (!layout.ignoreNullUpdates()) {
      if (state != null
          && state.upsertSequence() != null
          && order.compare(sequence, state.upsertSequence()) <= 0) {
        return state;
      }
      return new Scd1State(event.values(), sequence, deleted, null);
    }
    RowType type = layout.valuesType();
    int arity = type.getFieldCount();
    RowData[] columns = new RowData[arity];
    GenericRowData values = new GenericRowData(arity);
    if (state != null && state.live()) {
      state.columnSequences().toArray(columns);
      RowData.FieldGetter[] getters = Rows.getters(type);
      for (int i = 0; i < arity; i++) {
        values.setField(i, getters[i].getFieldOrNull(state.values()));
      }
    }
    boolean changed = false;
    for (int i = 0; i < arity; i++) {
      if (!event.values().isNullAt(i)
          && (columns[i] == null || order.compare(sequence, columns[i]) > 0)) {
        values.setField(i, Rows.getter(type.getTypeAt(i), i).getFieldOrNull(event.values()));
        columns[i] = sequence;
        changed = true;
      }
    }
    RowData newest =
        state == null
                || state.upsertSequence() == null
                || order.compare(sequence, state.upsertSequence()) > 0
            ? sequence
            : state.upsertSequence();
    if (!changed && state != null && state.live() && newest == state.upsertSequence()) {
      return state;
    }
    return new Scd1State(values, newest, deleted, Arrays.asList(columns));
  }

  private Scd1State delete(Scd1State state, RowData sequence) {
    if (state == null) {
      return new Scd1State(null, null, sequence, null);
    }
    if (state.deleteSequence() != null && order.compare(sequence, state.deleteSequence()) <= 0) {
      return state;
    }
    if (!state.live() || order.compare(state.upsertSequence(), sequence) <= 0) {
      return new Scd1State(null, null, sequence, null);
    }
    if (!layout.ignoreNullUpdates()) {
      return new Scd1State(state.values(), state.upsertSequence(), sequence, null);
    }
    // The row was re-created after this (late) delete: writes older than the delete no longer
    // count.
    RowType type = layout.valuesType();
    GenericRowData values = Rows.copy(state.values(), type);
    List<RowData> columns = new ArrayList<>(state.columnSequences());
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i) != null && order.compare(columns.get(i), sequence) <= 0) {
        columns.set(i, null);
        values.setField(i, null);
      }
    }
    return new Scd1State(values, state.upsertSequence(), sequence, columns);
  }

  private List<RowData> change(RowData before, RowData after) {
    RowType type = layout.valuesType();
    if (after != null && before == null) {
      return List.of(withKind(RowKind.INSERT, after, type));
    }
    if (after != null && !Rows.equal(before, after, type)) {
      return List.of(withKind(RowKind.UPDATE_AFTER, after, type));
    }
    if (after == null && before != null) {
      return List.of(withKind(RowKind.DELETE, before, type));
    }
    return List.of();
  }

  private static RowData withKind(RowKind kind, RowData row, RowType type) {
    GenericRowData copy = Rows.copy(row, type);
    copy.setRowKind(kind);
    return copy;
  }
}
