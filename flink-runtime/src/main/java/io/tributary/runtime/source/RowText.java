package io.tributary.runtime.source;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/** A row as {@code {name=value, …}} for an error message, long values cut as expectation violations cut them. */
final class RowText {

  /** As {@code ExpectationOperator}'s violation messages cut a value. */
  static final int MAX_VALUE_LENGTH = 200;

  private RowText() {}

  static String of(RowData row, RowType type) {
    StringBuilder text = new StringBuilder("{");
    int fields = Math.min(row.getArity(), type.getFieldCount());
    for (int i = 0; i < fields; i++) {
      String shown;
      try {
        shown = String.valueOf(RowData.createFieldGetter(type.getTypeAt(i), i).getFieldOrNull(row));
      } catch (RuntimeException e) {
        shown = "?";
      }
      if (shown.length() > MAX_VALUE_LENGTH) {
        shown = shown.substring(0, MAX_VALUE_LENGTH) + "…";
      }
      text.append(i == 0 ? "" : ", ").append(type.getFieldNames().get(i)).append('=').append(shown);
    }
    return text.append('}').toString();
  }
}
