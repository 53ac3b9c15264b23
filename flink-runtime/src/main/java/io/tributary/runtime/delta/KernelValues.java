package io.tributary.runtime.delta;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.HashMap;
import java.util.List;
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

  /**
   * {@code schema} with its top-level string columns read as binary: Kernel's Parquet reader then
   * hands over each value's UTF-8 bytes, which become Flink's {@link StringData} as they are, instead
   * of being decoded into a Java string (through a {@code CharsetDecoder}) and encoded back when Flink
   * hashes, compares or serializes it. {@link #value} reads a string column of either kind.
   */
  public static StructType stringsAsBytes(StructType schema) {
    StructType read = new StructType();
    for (StructField field : schema.fields()) {
      read =
          read.add(
              field.getDataType() instanceof StringType
                  ? new StructField(
                      field.getName(), BinaryType.BINARY, field.isNullable(), field.getMetadata())
                  : field);
    }
    return read;
  }

  /** Row {@code row} of a struct-typed set of columns, as a row of {@code type} (fields by name). */
  public static GenericRowData row(
      StructType schema,
      java.util.function.IntFunction<ColumnVector> columns,
      int row,
      RowType type) {
    return Projection.of(schema, type).row(columns, row);
  }

  /**
   * Where each field of a Flink row type is among the columns of a Kernel schema, resolved once: a
   * reader of many rows keeps one (per batch schema, {@link #forSchema}) instead of looking every
   * field up by name at every row, which cost a quarter of a snapshot read's CPU.
   */
  public static final class Projection {
    private final StructType schema;
    private final int[] columns;
    private final LogicalType[] types;

    private Projection(StructType schema, int[] columns, LogicalType[] types) {
      this.schema = schema;
      this.columns = columns;
      this.types = types;
    }

    /** The fields of {@code type} among {@code schema}'s columns, by name. */
    public static Projection of(StructType schema, RowType type) {
      List<String> names = type.getFieldNames();
      int[] columns = new int[names.size()];
      LogicalType[] types = new LogicalType[names.size()];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = schema.indexOf(names.get(i));
        if (columns[i] < 0) {
          throw new IllegalStateException("column " + names.get(i) + " missing from " + schema);
        }
        types[i] = type.getTypeAt(i);
      }
      return new Projection(schema, columns, types);
    }

    /**
     * This projection if {@code batchSchema} is the schema it was made for (the same object, or an
     * equal one), else a new one for it; {@code previous} may be null.
     */
    public static Projection forSchema(Projection previous, StructType batchSchema, RowType type) {
      if (previous != null
          && (previous.schema == batchSchema || previous.schema.equals(batchSchema))) {
        return previous;
      }
      return of(batchSchema, type);
    }

    /** Row {@code row} of {@code columns} (the columns of this projection's schema). */
    public GenericRowData row(java.util.function.IntFunction<ColumnVector> columns, int row) {
      GenericRowData out = new GenericRowData(this.columns.length);
      for (int i = 0; i < this.columns.length; i++) {
        out.setField(i, value(columns.apply(this.columns[i]), row, types[i]));
      }
      return out;
    }
  }

  static Object value(ColumnVector v, int row, LogicalType type) {
    if (v.isNullAt(row)) {
      return null;
    }
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return v.getDataType() instanceof BinaryType
            ? StringData.fromBytes(v.getBinary(row))
            : StringData.fromString(v.getString(row));
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
