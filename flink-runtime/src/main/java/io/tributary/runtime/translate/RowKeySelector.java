package io.tributary.runtime.translate;

import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Keys a row by some of its columns, encoded as one string with each value length-prefixed (so
 * {@code ("a:b", "c")} and {@code ("a", "b:c")} differ, and NULL differs from any text). A string
 * key hashes the same before and after serialization, which a projected {@code RowData} does not.
 * Key by it with its type, {@link RowKeySerializer#TYPE}, whose serializer writes a key in one call.
 */
public final class RowKeySelector implements KeySelector<RowData, String> {

  private static final long serialVersionUID = 1L;

  private final RowData.FieldGetter[] getters;

  public RowKeySelector(RowType rowType, List<String> columns) {
    this.getters =
        columns.stream()
            .map(
                c ->
                    RowData.createFieldGetter(
                        rowType.getTypeAt(rowType.getFieldIndex(c)), rowType.getFieldIndex(c)))
            .toArray(RowData.FieldGetter[]::new);
  }

  @Override
  public String getKey(RowData row) {
    StringBuilder key = new StringBuilder();
    for (RowData.FieldGetter getter : getters) {
      Object value = getter.getFieldOrNull(row);
      if (value == null) {
        key.append('-');
      } else {
        String text =
            value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : value.toString();
        key.append(text.length()).append(':').append(text);
      }
    }
    return key.toString();
  }
}
