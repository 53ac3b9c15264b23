package io.tributary.cdc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalSerializers;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Field-level helpers over {@link RowData} that work alike for generic rows and rows read from state. */
final class Rows {

  private Rows() {}

  /** Always checks for NULL: a NOT NULL column may still be empty in state (a column a late delete reset). */
  static RowData.FieldGetter getter(LogicalType type, int position) {
    return RowData.createFieldGetter(type.copy(true), position);
  }

  static RowData.FieldGetter[] getters(RowType type) {
    RowData.FieldGetter[] getters = new RowData.FieldGetter[type.getFieldCount()];
    for (int i = 0; i < getters.length; i++) {
      getters[i] = getter(type.getTypeAt(i), i);
    }
    return getters;
  }

  /** A generic copy of the given fields of {@code row}, in the order of {@code indexes}. */
  static GenericRowData project(RowData row, RowType type, int[] indexes) {
    GenericRowData result = new GenericRowData(indexes.length);
    for (int i = 0; i < indexes.length; i++) {
      result.setField(i, getter(type.getTypeAt(indexes[i]), indexes[i]).getFieldOrNull(row));
    }
    return result;
  }

  /** A generic copy of the whole row, whatever its implementation. */
  static GenericRowData copy(RowData row, RowType type) {
    GenericRowData result = new GenericRowData(type.getFieldCount());
    for (int i = 0; i < type.getFieldCount(); i++) {
      result.setField(i, getter(type.getTypeAt(i), i).getFieldOrNull(row));
    }
    return result;
  }

  /** Whether two rows of {@code type} hold equal values in every field. */
  static boolean equal(RowData a, RowData b, RowType type) {
    for (int i = 0; i < type.getFieldCount(); i++) {
      if (!equalAt(a, b, type, i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether two rows of {@code type} hold equal values at {@code position}; nested rows field by field. */
  static boolean equalAt(RowData a, RowData b, RowType type, int position) {
    LogicalType fieldType = type.getTypeAt(position);
    RowData.FieldGetter getter = getter(fieldType, position);
    return equalValues(getter.getFieldOrNull(a), getter.getFieldOrNull(b), fieldType);
  }

  private static boolean equalValues(Object x, Object y, LogicalType type) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x instanceof byte[] bx && y instanceof byte[] by) {
      return Arrays.equals(bx, by);
    }
    if (type instanceof RowType rowType && x instanceof RowData rx && y instanceof RowData ry) {
      return equal(rx, ry, rowType);
    }
    if (x instanceof ArrayData || x instanceof MapData) {
      // A generic array from the feed and a binary one read from state are equal when their bytes
      // are.
      return Arrays.equals(bytes(x, type), bytes(y, type));
    }
    return Objects.equals(x, y);
  }

  @SuppressWarnings("unchecked")
  private static byte[] bytes(Object value, LogicalType type) {
    TypeSerializer<Object> serializer = (TypeSerializer<Object>) InternalSerializers.create(type);
    DataOutputSerializer out = new DataOutputSerializer(64);
    try {
      serializer.serialize(value, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.getCopyOfBuffer();
  }

  /** The same row type with every field nullable, for rows kept in state. */
  static RowType nullable(RowType type) {
    return new RowType(
        true,
        type.getFields().stream()
            .map(f -> new RowType.RowField(f.getName(), f.getType().copy(true)))
            .toList());
  }

  /** {@code {name=value, …}}, for error messages. */
  static String describe(RowData row, RowType type) {
    StringJoiner text = new StringJoiner(", ", "{", "}");
    for (int i = 0; i < type.getFieldCount(); i++) {
      Object value = getter(type.getTypeAt(i), i).getFieldOrNull(row);
      text.add(type.getFieldNames().get(i) + "=" + render(value, type.getTypeAt(i)));
    }
    return text.toString();
  }

  private static String render(Object value, LogicalType type) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof byte[] bytes) {
      return Arrays.toString(bytes);
    }
    if (value instanceof ArrayData array && type instanceof ArrayType arrayType) {
      StringJoiner text = new StringJoiner(", ", "[", "]");
      ArrayData.ElementGetter getter = ArrayData.createElementGetter(arrayType.getElementType());
      for (int i = 0; i < array.size(); i++) {
        text.add(render(getter.getElementOrNull(array, i), arrayType.getElementType()));
      }
      return text.toString();
    }
    if (value instanceof RowData nested && type instanceof RowType rowType) {
      return describe(nested, rowType);
    }
    return value.toString();
  }
}
