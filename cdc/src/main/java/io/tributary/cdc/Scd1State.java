package io.tributary.cdc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.table.data.RowData;

/**
 * One key's SCD type 1 state. It is enough to apply any later change exactly as if all changes had
 * arrived in sequence order: the newest delete (the tombstone), the newest upsert after it, and with
 * {@code ignoreNullUpdates} the sequence of the newest non-NULL write of each column, because a late
 * change may fill a column that newer changes left NULL.
 *
 * @param values the current row ({@link CdcLayout#valuesType()}), {@code null} when the key has none
 * @param upsertSequence sequence of the newest upsert after the tombstone, {@code null} when none
 * @param deleteSequence sequence of the newest delete or truncate, {@code null} when none
 * @param columnSequences with {@code ignoreNullUpdates}: per selected column, the sequence of its newest
 *     non-NULL write after the tombstone (elements may be {@code null}); otherwise {@code null}
 */
public record Scd1State(
    RowData values, RowData upsertSequence, RowData deleteSequence, List<RowData> columnSequences) {

  public Scd1State {
    if ((values == null) != (upsertSequence == null)) {
      throw new IllegalArgumentException("a row and the sequence of its upsert go together");
    }
    columnSequences =
        columnSequences == null
            ? null
            : Collections.unmodifiableList(new ArrayList<>(columnSequences));
  }

  /** Whether the key has a row in the target. */
  public boolean live() {
    return values != null;
  }

  /** A deleted key whose tombstone is all that is left (dropped after the retention). */
  public boolean tombstone() {
    return values == null && deleteSequence != null;
  }
}
