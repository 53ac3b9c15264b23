package io.tributary.cdc;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Per-key state as rows of a fixed {@link RowType}, so that Flink's own {@code RowDataSerializer}
 * writes it (no Kryo, compact in RocksDB) and its schema is explicit, through
 * {@link EvolvingRowDataSerializer}, so the state survives a source that gains nullable columns.
 * Decoded rows are only read, never changed: the heap backend hands back the stored object itself,
 * which after such a restore is conformed here to the current columns.
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
    // one sequence per value column, by the column's name, so they follow the columns when the
    // source gains one (an array by position would not)
    org.apache.flink.table.types.logical.LogicalType[] perColumn =
        new org.apache.flink.table.types.logical.LogicalType[values.getFieldCount()];
    java.util.Arrays.fill(perColumn, sequence);
    RowType columnSequences =
        RowType.of(true, perColumn, values.getFieldNames().toArray(String[]::new));
    this.scd1State =
        RowType.of(
            new org.apache.flink.table.types.logical.LogicalType[] {
              values, sequence, sequence, columnSequences
            },
            new String[] {"values", "upsert_sequence", "delete_sequence", "column_sequences"});
    this.change =
        RowType.of(
            new org.apache.flink.table.types.logical.LogicalType[] {
              sequence.copy(false), new BooleanType(false), values
            },
            new String[] {"sequence", "is_delete", "values"});
  }

  TypeSerializer<RowData> scd1StateSerializer() {
    return new EvolvingRowDataSerializer(scd1State);
  }

  TypeSerializer<RowData> changeSerializer() {
    return new EvolvingRowDataSerializer(change);
  }

  InternalTypeInfo<RowData> sequenceType() {
    return InternalTypeInfo.of(sequence);
  }

  RowData encode(Scd1State state) {
    GenericRowData columns =
        state.columnSequences() == null
            ? null
            : GenericRowData.of(state.columnSequences().toArray(new Object[0]));
    return GenericRowData.of(
        state.values(), state.upsertSequence(), state.deleteSequence(), columns);
  }

  Scd1State decodeScd1(RowData stored) {
    if (stored == null) {
      return null;
    }
    RowData row = EvolvingRowDataSerializer.conform(stored, scd1State);
    List<RowData> columns = null;
    if (!row.isNullAt(3)) {
      RowData perColumn = row.getRow(3, values.getFieldCount());
      columns = new ArrayList<>();
      for (int i = 0; i < values.getFieldCount(); i++) {
        columns.add(perColumn.isNullAt(i) ? null : perColumn.getRow(i, sequence.getFieldCount()));
      }
    }
    return new Scd1State(
        row.isNullAt(0) ? null : row.getRow(0, values.getFieldCount()),
        row.isNullAt(1) ? null : row.getRow(1, sequence.getFieldCount()),
        row.isNullAt(2) ? null : row.getRow(2, sequence.getFieldCount()),
        columns);
  }

  RowData encode(ChangeEvent event) {
    return GenericRowData.of(event.sequence(), event.delete(), event.values());
  }

  ChangeEvent decodeChange(RowData stored) {
    RowData row = EvolvingRowDataSerializer.conform(stored, change);
    RowData seq = row.getRow(0, sequence.getFieldCount());
    return row.getBoolean(1)
        ? ChangeEvent.delete(seq)
        : ChangeEvent.upsert(seq, row.getRow(2, values.getFieldCount()));
  }
}
