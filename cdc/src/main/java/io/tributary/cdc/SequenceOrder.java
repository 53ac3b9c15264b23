package io.tributary.cdc;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The order of sequence values: lexicographic over the sequence columns, each by its type's natural
 * order. Values are never NULL here: {@link CdcLayout} rejects such changes before they reach state.
 */
final class SequenceOrder implements Comparator<RowData>, Serializable {

  private static final long serialVersionUID = 1L;

  private final RowType type;
  private transient RowData.FieldGetter[] getters;

  SequenceOrder(RowType type) {
    this.type = type;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public int compare(RowData a, RowData b) {
    if (getters == null) {
      getters = Rows.getters(type);
    }
    for (RowData.FieldGetter getter : getters) {
      Object x = getter.getFieldOrNull(a);
      Object y = getter.getFieldOrNull(b);
      int c =
          x instanceof byte[] bx
              ? Arrays.compareUnsigned(bx, (byte[]) y)
              : ((Comparable) x).compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
