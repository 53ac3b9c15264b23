package io.tributary.runtime.delta;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.types.StructType;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/** Converts values of Kernel column vectors to Flink's internal data structures, by the Flink type. */
public final class KernelValues {

  private KernelValues() {}

  /** Row {@code row} of a struct-typed set of columns, as a row of {@code type} (fields by name). */
  public static GenericRowData row(
      StructType schema,
      java.util.function.IntFunction<ColumnVector> columns,
      int row,
      RowType type) {
    GenericRowData out = new GenericRowData(type.getFieldCount());
    for (int i = 0; i < type.getFieldCount(); i++) {
      String name = type.getFieldNames().get(i);
      int index = schema.indexOf(name);
      if (index < 0) {
        throw new IllegalStateException("column " + name + " missing from " + schema);
      }
      out.setField(i, value(columns.apply(index), row, type.getTypeAt(i)));
    }
    return out;
  }

  static Object value(ColumnVector v, int row, LogicalType type) {
    if (v.isNullAt(row)) {
      return null;
    }
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return StringData.fromString(v.getString(row));
      case BOOLEAN:
        return v.getBoolean(row);
      case TINYINT:
        return v.getByte(row);
      case SMALLINT:
        return v.getShort(row);
      case INTEGER:
      case DATE:
        return v.getInt(row);
      case BIGINT:
        return v.getLong(row);
      case FLOAT:
        return v.getFloat(row);
      case DOUBLE:
        return v.getDouble(row);
      case DECIMAL:
        DecimalType decimal = (DecimalType) type;
        return DecimalData.fromBigDecimal(
            v.getDecimal(row), decimal.getPrecision(), decimal.getScale());
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        long micros = v.getLong(row);
        return TimestampData.fromEpochMillis(
            Math.floorDiv(micros, 1000L), (int) Math.floorMod(micros, 1000L) * 1000);
      case BINARY:
      case VARBINARY:
        return v.getBinary(row);
      case ARRAY:
        ArrayValue array = v.getArray(row);
        LogicalType elementType = ((ArrayType) type).getElementType();
        Object[] elements = new Object[array.getSize()];
        for (int i = 0; i < elements.length; i++) {
          elements[i] = value(array.getElements(), i, elementType);
        }
        return new GenericArrayData(elements);
      case MAP:
        MapValue map = v.getMap(row);
        MapType mapType = (MapType) type;
        Map<Object, Object> entries = new HashMap<>();
        for (int i = 0; i < map.getSize(); i++) {
          entries.put(
              value(map.getKeys(), i, mapType.getKeyType()),
              value(map.getValues(), i, mapType.getValueType()));
        }
        return new GenericMapData(entries);
      case ROW:
        StructType struct = (StructType) v.getDataType();
        return row(struct, v::getChild, row, (RowType) type);
      default:
        throw DeltaTableException.unsupportedType("?", type.asSummaryString());
    }
  }
}
