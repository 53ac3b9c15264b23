package io.tributary.cdc;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Per-key state as rows of a fixed {@link RowType}, so that Flink's own {@code RowDataSerializer}
 * writes it (no Kryo, compact in RocksDB) and its schema is explicit. Decoded rows are only read,
 * never changed: the heap backend hands back the stored object itself.
 */
final class StateCodec implements Serializable {

  private static final long serialVersionUID = 1L;

  private final RowType values;
  private final RowType sequence;
  private final RowType scd1State;
  private final RowType change;

  StateCodec(CdcLayout layout) {
    this.values = Rows.nullable(layout.valuesType());
    this.sequence = Rows.nullable(layout.sequenceType());
    this.scd1State = RowType.of(new org.apache.flink.table.types.logical.LogicalType[] {
        values, sequence, sequence, new ArrayType(true, sequence)},
        new String[] {"values", "upsert_sequence", "delete_sequence", "column_sequences"});
    this.change = RowType.of(new org.apache.flink.table.types.logical.LogicalType[] {
        sequence.copy(false), new BooleanType(false), values},
        new String[] {"sequence", "is_delete", "values"});
  }

  InternalTypeInfo<RowData> scd1StateType() {
    return InternalTypeInfo.of(scd1State);
  }

  InternalTypeInfo<RowData> changeType() {
    return InternalTypeInfo.of(change);
  }

  InternalTypeInfo<RowData> sequenceType() {
    return InternalTypeInfo.of(sequence);
  }

  RowData encode(Scd1State state) {
    GenericArrayData columns = state.columnSequences() == null ? null
        : new GenericArrayData(state.columnSequences().toArray(new Object[0]));
    return GenericRowData.of(state.values(), state.upsertSequence(), state.deleteSequence(), columns);
  }

  Scd1State decodeScd1(RowData row) {
    if (row == null) {
      return null;
    }
    List<RowData> columns = null;
    if (!row.isNullAt(3)) {
      ArrayData array = row.getArray(3);
      columns = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        columns.add(array.isNullAt(i) ? null : array.getRow(i, sequence.getFieldCount()));
      }
    }
    return new Scd1State(row.isNullAt(0) ? null : row.getRow(0, values.getFieldCount()),
        row.isNullAt(1) ? null : row.getRow(1, sequence.getFieldCount()),
        row.isNullAt(2) ? null : row.getRow(2, sequence.getFieldCount()), columns);
  }

  RowData encode(ChangeEvent event) {
    return GenericRowData.of(event.sequence(), event.delete(), event.values());
  }

  ChangeEvent decodeChange(RowData row) {
    RowData seq = row.getRow(0, sequence.getFieldCount());
    return row.getBoolean(1) ? ChangeEvent.delete(seq) : ChangeEvent.upsert(seq, row.getRow(2, values.getFieldCount()));
  }
}
