package io.tributary.runtime.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * The one type map between Flink's logical types and Delta's (Kernel's) types, so every table
 * Tributary writes has the same, documented layout. Nullability is kept both ways.
 *
 * <table>
 *   <caption>Flink to Delta</caption>
 *   <tr><th>Flink</th><th>Delta</th><th>Parquet (as written)</th></tr>
 *   <tr><td>CHAR, VARCHAR, STRING</td><td>string</td><td>BINARY (STRING)</td></tr>
 *   <tr><td>BOOLEAN</td><td>boolean</td><td>BOOLEAN</td></tr>
 *   <tr><td>TINYINT</td><td>byte</td><td>INT32 (INT_8)</td></tr>
 *   <tr><td>SMALLINT</td><td>short</td><td>INT32 (INT_16)</td></tr>
 *   <tr><td>INT</td><td>integer</td><td>INT32</td></tr>
 *   <tr><td>BIGINT</td><td>long</td><td>INT64</td></tr>
 *   <tr><td>FLOAT</td><td>float</td><td>FLOAT</td></tr>
 *   <tr><td>DOUBLE</td><td>double</td><td>DOUBLE</td></tr>
 *   <tr><td>DECIMAL(p, s)</td><td>decimal(p, s)</td><td>FIXED_LEN_BYTE_ARRAY (DECIMAL(p, s)), the
 *       fewest bytes for p</td></tr>
 *   <tr><td>DATE</td><td>date</td><td>INT32 (DATE)</td></tr>
 *   <tr><td>TIMESTAMP_LTZ(p)</td><td>timestamp</td><td>INT64 TIMESTAMP(MICROS, UTC)</td></tr>
 *   <tr><td>TIMESTAMP(p) (no zone)</td><td>timestamp, the local value read as UTC</td>
 *       <td>INT64 TIMESTAMP(MICROS, UTC)</td></tr>
 *   <tr><td>BINARY, VARBINARY, BYTES</td><td>binary</td><td>BINARY</td></tr>
 *   <tr><td>ARRAY&lt;T&gt;</td><td>array&lt;T&gt;</td><td>3-level LIST</td></tr>
 *   <tr><td>MAP&lt;K, V&gt;</td><td>map&lt;K, V&gt;</td><td>MAP (key_value)</td></tr>
 *   <tr><td>ROW&lt;...&gt;</td><td>struct&lt;...&gt;</td><td>group</td></tr>
 * </table>
 *
 * <p>Timestamps are stored with microsecond precision (a Flink precision above 6 is truncated), never
 * as INT96. {@code timestamp_ntz} is never written, so tables stay at protocol (1, 2) and Delta
 * Standalone can read them. Reading maps back: {@code string} to STRING, {@code timestamp} to
 * TIMESTAMP_LTZ(6), {@code timestamp_ntz} (tables written by others) to TIMESTAMP(6); every other
 * type to the Flink type in the first column. Other Flink types (INTERVAL, MULTISET, RAW, TIME,
 * STRUCTURED...) are rejected with an error naming the column.
 */
public final class DeltaTypes {

  private DeltaTypes() {}

  /** The Delta schema of a table written from rows of {@code rowType}. */
  public static StructType toStructType(RowType rowType) {
    List<StructField> fields = new ArrayList<>();
    for (RowType.RowField field : rowType.getFields()) {
      fields.add(
          new StructField(
              field.getName(),
              toDataType(field.getName(), field.getType()),
              field.getType().isNullable()));
    }
    return new StructType(fields);
  }

  /** The Flink row type (NOT NULL: a table row is never null) a Delta schema is read as. */
  public static RowType toRowType(StructType structType) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (StructField field : structType.fields()) {
      fields.add(
          new RowType.RowField(
              field.getName(),
              toLogicalType(field.getName(), field.getDataType(), field.isNullable())));
    }
    return new RowType(false, fields);
  }

  static DataType toDataType(String column, LogicalType type) {
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return StringType.STRING;
      case BOOLEAN:
        return io.delta.kernel.types.BooleanType.BOOLEAN;
      case TINYINT:
        return ByteType.BYTE;
      case SMALLINT:
        return ShortType.SHORT;
      case INTEGER:
        return IntegerType.INTEGER;
      case BIGINT:
        return LongType.LONG;
      case FLOAT:
        return io.delta.kernel.types.FloatType.FLOAT;
      case DOUBLE:
        return io.delta.kernel.types.DoubleType.DOUBLE;
      case DECIMAL:
        org.apache.flink.table.types.logical.DecimalType decimal =
            (org.apache.flink.table.types.logical.DecimalType) type;
        return new DecimalType(decimal.getPrecision(), decimal.getScale());
      case DATE:
        return DateType.DATE;
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return io.delta.kernel.types.TimestampType.TIMESTAMP;
      case BINARY:
      case VARBINARY:
        return BinaryType.BINARY;
      case ARRAY:
        LogicalType element =
            ((org.apache.flink.table.types.logical.ArrayType) type).getElementType();
        return new ArrayType(toDataType(column + ".element", element), element.isNullable());
      case MAP:
        org.apache.flink.table.types.logical.MapType map =
            (org.apache.flink.table.types.logical.MapType) type;
        return new MapType(
            toDataType(column + ".key", map.getKeyType()),
            toDataType(column + ".value", map.getValueType()),
            map.getValueType().isNullable());
      case ROW:
        List<StructField> fields = new ArrayList<>();
        for (RowType.RowField field : ((RowType) type).getFields()) {
          fields.add(
              new StructField(
                  field.getName(),
                  toDataType(column + "." + field.getName(), field.getType()),
                  field.getType().isNullable()));
        }
        return new StructType(fields);
      default:
        throw DeltaTableException.unsupportedType(column, type.asSummaryString());
    }
  }

  static LogicalType toLogicalType(String column, DataType type, boolean nullable) {
    LogicalType result;
    if (type instanceof StringType) {
      result = new VarCharType(VarCharType.MAX_LENGTH);
    } else if (type instanceof io.delta.kernel.types.BooleanType) {
      result = new BooleanType();
    } else if (type instanceof ByteType) {
      result = new TinyIntType();
    } else if (type instanceof ShortType) {
      result = new SmallIntType();
    } else if (type instanceof IntegerType) {
      result = new IntType();
    } else if (type instanceof LongType) {
      result = new BigIntType();
    } else if (type instanceof io.delta.kernel.types.FloatType) {
      result = new FloatType();
    } else if (type instanceof io.delta.kernel.types.DoubleType) {
      result = new DoubleType();
    } else if (type instanceof DecimalType decimal) {
      result =
          new org.apache.flink.table.types.logical.DecimalType(
              decimal.getPrecision(), decimal.getScale());
    } else if (type instanceof DateType) {
      result = new org.apache.flink.table.types.logical.DateType();
    } else if (type instanceof io.delta.kernel.types.TimestampType) {
      result = new LocalZonedTimestampType(6);
    } else if (type instanceof TimestampNTZType) {
      result = new TimestampType(6);
    } else if (type instanceof BinaryType) {
      result = new VarBinaryType(VarBinaryType.MAX_LENGTH);
    } else if (type instanceof ArrayType array) {
      result =
          new org.apache.flink.table.types.logical.ArrayType(
              toLogicalType(column + ".element", array.getElementType(), array.containsNull()));
    } else if (type instanceof MapType map) {
      result =
          new org.apache.flink.table.types.logical.MapType(
              toLogicalType(column + ".key", map.getKeyType(), false),
              toLogicalType(column + ".value", map.getValueType(), map.isValueContainsNull()));
    } else if (type instanceof StructType struct) {
      List<RowType.RowField> fields = new ArrayList<>();
      for (StructField field : struct.fields()) {
        fields.add(
            new RowType.RowField(
                field.getName(),
                toLogicalType(
                    column + "." + field.getName(), field.getDataType(), field.isNullable())));
      }
      result = new RowType(fields);
    } else {
      throw DeltaTableException.unsupportedDeltaType(column, type.toString());
    }
    return result.copy(nullable);
  }
}
