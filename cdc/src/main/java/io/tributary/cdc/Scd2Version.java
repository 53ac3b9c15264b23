package io.tributary.cdc;

import java.util.Objects;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

/**
 * One version of one key in an SCD type 2 target: its values, valid from {@code start} until {@code
 * end} (the next version's or the closing delete's sequence), {@code end == null} while current.
 */
public record Scd2Version(RowData start, RowData end, RowData values) {

  public Scd2Version {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(values, "values");
  }

  public boolean current() {
    return end == null;
  }

  /** The target row: the values, then {@code __START_AT} and {@code __END_AT}. */
  public RowData toTargetRow(CdcLayout layout, RowKind kind) {
    int arity = layout.valuesType().getFieldCount();
    GenericRowData row = new GenericRowData(kind, arity + 2);
    RowData.FieldGetter[] getters = Rows.getters(layout.valuesType());
    for (int i = 0; i < arity; i++) {
      row.setField(i, getters[i].getFieldOrNull(values));
    }
    row.setField(arity, layout.sequenceValue(start));
    row.setField(arity + 1, layout.sequenceValue(end));
    return row;
  }
}
