package io.tributary.cdc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.table.data.RowData;

/**
 * One {@code applyChanges} flow run in memory, micro-batch by micro-batch, with the same mergers and
 * the same truncate rule as {@link Scd1Function} and {@link Scd2Function}: for a driver that runs
 * pipelines without a cluster, and as the reference the functions are tested against. Tombstones
 * are kept for the life of the object (there is no clock to expire them).
 *
 * <pre>{@code
 * InMemoryApplyChanges flow = new InMemoryApplyChanges(layout);
 * ChangelogTable target = new ChangelogTable(layout);
 * target.applyAll(flow.apply(batchOfInputRows));   // rows of layout.inputType()
 * }</pre>
 */
public final class InMemoryApplyChanges {

  private final CdcLayout layout;
  private final Scd1Merger scd1;
  private final Scd2Merger scd2;
  private final SequenceOrder order;
  private final Map<RowData, Scd1State> scd1States = new HashMap<>();
  private final Map<RowData, List<ChangeEvent>> scd2States = new HashMap<>();
  private RowData truncatedAsOf;

  public InMemoryApplyChanges(CdcLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.scd1 = layout.scdType() == 1 ? new Scd1Merger(layout) : null;
    this.scd2 = layout.scdType() == 2 ? new Scd2Merger(layout) : null;
    this.order = new SequenceOrder(layout.sequenceType());
  }

  /**
   * Applies one micro-batch of input rows (any order) and returns the target's changelog: each target
   * row the batch changed, once, with its final value.
   */
  public List<RowData> apply(List<RowData> batch) {
    Map<RowData, List<ChangeEvent>> byKey = new LinkedHashMap<>();
    RowData truncate = null;
    for (RowData row : batch) {
      if (row.getBoolean(layout.isTruncateIndex())) {
        if (layout.scdType() != 1) {
          throw new IllegalStateException(
              "applyChanges into '" + layout.target() + "': SCD type 2 has no truncate");
        }
        RowData sequence = layout.sequenceOf(row);
        truncate = truncate == null || order.compare(sequence, truncate) > 0 ? sequence : truncate;
      } else {
        byKey.computeIfAbsent(layout.key(row), k -> new ArrayList<>()).add(layout.toEvent(row));
      }
    }
    List<RowData> changes = new ArrayList<>();
    if (layout.scdType() == 2) {
      byKey.forEach(
          (key, events) -> {
            MergeResult<List<ChangeEvent>> r =
                scd2.apply(scd2States.getOrDefault(key, List.of()), events);
            scd2States.put(key, r.state());
            changes.addAll(r.changes());
          });
      return changes;
    }
    if (truncate != null && (truncatedAsOf == null || order.compare(truncate, truncatedAsOf) > 0)) {
      truncatedAsOf = truncate;
      for (RowData key : new ArrayList<>(scd1States.keySet())) {
        if (!byKey.containsKey(key)) {
          store(
              key,
              scd1.apply(scd1States.get(key), List.of(ChangeEvent.delete(truncatedAsOf))),
              changes);
        }
      }
    }
    byKey.forEach(
        (key, events) -> {
          List<ChangeEvent> all = new ArrayList<>(events.size() + 1);
          if (truncatedAsOf != null) {
            all.add(ChangeEvent.delete(truncatedAsOf));
          }
          all.addAll(events);
          store(key, scd1.apply(scd1States.get(key), all), changes);
        });
    return changes;
  }

  private void store(RowData key, MergeResult<Scd1State> result, List<RowData> changes) {
    changes.addAll(result.changes());
    Scd1State state = result.state();
    // A key with nothing newer than the truncate needs no state: the truncate stands in for its
    // tombstone.
    if (truncatedAsOf != null
        && !state.live()
        && order.compare(state.deleteSequence(), truncatedAsOf) == 0) {
      scd1States.remove(key);
    } else {
      scd1States.put(key, state);
    }
  }

  /** How many keys hold state (live rows, tombstones, SCD type 2 histories). */
  public int keysWithState() {
    return layout.scdType() == 1 ? scd1States.size() : scd2States.size();
  }
}
