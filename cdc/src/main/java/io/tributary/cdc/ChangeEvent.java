package io.tributary.cdc;

import java.util.Objects;
import org.apache.flink.table.data.RowData;

/**
 * One change of one key, as the mergers see it: its sequence value (a row of the sequence columns),
 * whether it deletes the key, and for an upsert the selected columns' values. The key itself is the
 * function's current key, so it is not repeated here.
 *
 * @param sequence never NULL, nor any of its fields
 * @param values the selected columns ({@link CdcLayout#valuesType()}); {@code null} for a delete
 */
public record ChangeEvent(RowData sequence, boolean delete, RowData values) {

  public ChangeEvent {
    Objects.requireNonNull(sequence, "sequence");
    if (delete != (values == null)) {
      throw new IllegalArgumentException("a delete has no values and an upsert has values");
    }
  }

  public static ChangeEvent upsert(RowData sequence, RowData values) {
    return new ChangeEvent(sequence, false, Objects.requireNonNull(values, "values"));
  }

  /** A delete of the key as of {@code sequence}; also how a truncate reaches each key. */
  public static ChangeEvent delete(RowData sequence) {
    return new ChangeEvent(sequence, true, null);
  }
}
