package io.tributary.runtime.delta;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Writes Flink {@link RowData} to Parquet in the layout of {@link DeltaTypes}: timestamps as INT64
 * microseconds adjusted to UTC (Flink's own Parquet writer writes INT96 unless configured otherwise,
 * and readers disagree on INT96), decimals with their precision, 3-level lists and maps as the Parquet
 * spec says. Ours so the physical layout is fixed by one class we test, not by writer options.
 */
final class RowDataWriteSupport extends WriteSupport<RowData> {

  private final RowType rowType;
  private final MessageType schema;
  private final FieldWriter[] writers;
  private RecordConsumer consumer;

  RowDataWriteSupport(RowType rowType) {
    this.rowType = rowType;
    this.schema = parquetSchema(rowType);
    this.writers = new FieldWriter[rowType.getFieldCount()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = writerFor(rowType.getTypeAt(i));
    }
  }

  /** The Parquet schema of a data file holding rows of {@code rowType}. */
  static MessageType parquetSchema(RowType rowType) {
    Types.MessageTypeBuilder builder = Types.buildMessage();
    for (RowType.RowField field : rowType.getFields()) {
      builder.addField(parquetType(field.getName(), field.getType()));
    }
    return builder.named("spark_schema");
  }

  private static Type parquetType(String name, LogicalType type) {
    Repetition repetition = type.isNullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return Types.primitive(PrimitiveTypeName.BINARY, repetition)
            .as(LogicalTypeAnnotation.stringType()).named(name);
      case BOOLEAN:
        return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
      case TINYINT:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.intType(8, true)).named(name);
      case SMALLINT:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.intType(16, true)).named(name);
      case INTEGER:
        return Types.primitive(PrimitiveTypeName.INT32, repetition).named(name);
      case BIGINT:
        return Types.primitive(PrimitiveTypeName.INT64, repetition).named(name);
      case FLOAT:
        return Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(name);
      case DOUBLE:
        return Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(name);
      case DECIMAL:
        DecimalType decimal = (DecimalType) type;
        LogicalTypeAnnotation annotation =
            LogicalTypeAnnotation.decimalType(decimal.getScale(), decimal.getPrecision());
        // FIXED_LEN_BYTE_ARRAY at every precision (Spark's legacy layout): every reader decodes it,
        // while Delta Standalone misreads INT32/INT64-backed decimals as unscaled numbers
        return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
            .length(decimalBytes(decimal.getPrecision())).as(annotation).named(name);
      case DATE:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.dateType()).named(name);
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return Types.primitive(PrimitiveTypeName.INT64, repetition)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named(name);
      case BINARY:
      case VARBINARY:
        return Types.primitive(PrimitiveTypeName.BINARY, repetition).named(name);
      case ARRAY:
        LogicalType element = ((ArrayType) type).getElementType();
        return Types.buildGroup(repetition).as(LogicalTypeAnnotation.listType())
            .addField(Types.repeatedGroup().addField(parquetType("element", element)).named("list"))
            .named(name);
      case MAP:
        MapType map = (MapType) type;
        return Types.buildGroup(repetition).as(LogicalTypeAnnotation.mapType())
            .addField(Types.repeatedGroup()
                .addField(parquetType("key", map.getKeyType().copy(false)))
                .addField(parquetType("value", map.getValueType()))
                .named("key_value"))
            .named(name);
      case ROW:
        Types.GroupBuilder<GroupType> group = Types.buildGroup(repetition);
        for (RowType.RowField field : ((RowType) type).getFields()) {
          group.addField(parquetType(field.getName(), field.getType()));
        }
        return group.named(name);
      default:
        throw DeltaTableException.unsupportedType(name, type.asSummaryString());
    }
  }

  /** The fewest bytes that hold any unscaled value of a decimal of this precision. */
  static int decimalBytes(int precision) {
    int bytes = 1;
    while (Math.pow(2.0, 8 * bytes - 1) < Math.pow(10.0, precision)) {
      bytes++;
    }
    return bytes;
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method every Parquet 1.16 write support must implement
  public WriteContext init(Configuration configuration) {
    return new WriteContext(schema, new HashMap<>());
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(RowData row) {
    consumer.startMessage();
    writeFields(row, rowType, writers);
    consumer.endMessage();
  }

  private void writeFields(RowData row, RowType type, FieldWriter[] fieldWriters) {
    List<String> names = type.getFieldNames();
    for (int i = 0; i < fieldWriters.length; i++) {
      if (!row.isNullAt(i)) {
        consumer.startField(names.get(i), i);
        fieldWriters[i].write(row, i);
        consumer.endField(names.get(i), i);
      }
    }
  }

  /** Writes the value at one position of a row or array; the position is known not to be null. */
  private interface FieldWriter {
    void write(Object container, int pos);
  }

  private FieldWriter writerFor(LogicalType type) {
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return (c, pos) -> consumer.addBinary(Binary.fromReusedByteArray(
            c instanceof RowData r ? r.getString(pos).toBytes() : ((ArrayData) c).getString(pos).toBytes()));
      case BOOLEAN:
        return (c, pos) -> consumer.addBoolean(
            c instanceof RowData r ? r.getBoolean(pos) : ((ArrayData) c).getBoolean(pos));
      case TINYINT:
        return (c, pos) -> consumer.addInteger(
            c instanceof RowData r ? r.getByte(pos) : ((ArrayData) c).getByte(pos));
      case SMALLINT:
        return (c, pos) -> consumer.addInteger(
            c instanceof RowData r ? r.getShort(pos) : ((ArrayData) c).getShort(pos));
      case INTEGER:
      case DATE:
        return (c, pos) -> consumer.addInteger(
            c instanceof RowData r ? r.getInt(pos) : ((ArrayData) c).getInt(pos));
      case BIGINT:
        return (c, pos) -> consumer.addLong(
            c instanceof RowData r ? r.getLong(pos) : ((ArrayData) c).getLong(pos));
      case FLOAT:
        return (c, pos) -> consumer.addFloat(
            c instanceof RowData r ? r.getFloat(pos) : ((ArrayData) c).getFloat(pos));
      case DOUBLE:
        return (c, pos) -> consumer.addDouble(
            c instanceof RowData r ? r.getDouble(pos) : ((ArrayData) c).getDouble(pos));
      case DECIMAL:
        DecimalType decimal = (DecimalType) type;
        int precision = decimal.getPrecision();
        int scale = decimal.getScale();
        int width = decimalBytes(precision);
        return (c, pos) -> {
          DecimalData value = c instanceof RowData r
              ? r.getDecimal(pos, precision, scale) : ((ArrayData) c).getDecimal(pos, precision, scale);
          consumer.addBinary(Binary.fromConstantByteArray(fixedWidth(value.toBigDecimal(), width)));
        };
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        int tsPrecision = type.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot
            .TIMESTAMP_WITHOUT_TIME_ZONE
            ? ((org.apache.flink.table.types.logical.TimestampType) type).getPrecision()
            : ((org.apache.flink.table.types.logical.LocalZonedTimestampType) type).getPrecision();
        return (c, pos) -> {
          TimestampData ts = c instanceof RowData r
              ? r.getTimestamp(pos, tsPrecision) : ((ArrayData) c).getTimestamp(pos, tsPrecision);
          consumer.addLong(epochMicros(ts));
        };
      case BINARY:
      case VARBINARY:
        return (c, pos) -> consumer.addBinary(Binary.fromReusedByteArray(
            c instanceof RowData r ? r.getBinary(pos) : ((ArrayData) c).getBinary(pos)));
      case ARRAY:
        FieldWriter elementWriter = writerFor(((ArrayType) type).getElementType());
        return (c, pos) -> {
          ArrayData array = c instanceof RowData r ? r.getArray(pos) : ((ArrayData) c).getArray(pos);
          consumer.startGroup();
          if (array.size() > 0) {
            consumer.startField("list", 0);
            for (int i = 0; i < array.size(); i++) {
              consumer.startGroup();
              if (!array.isNullAt(i)) {
                consumer.startField("element", 0);
                elementWriter.write(array, i);
                consumer.endField("element", 0);
              }
              consumer.endGroup();
            }
            consumer.endField("list", 0);
          }
          consumer.endGroup();
        };
      case MAP:
        MapType mapType = (MapType) type;
        FieldWriter keyWriter = writerFor(mapType.getKeyType());
        FieldWriter valueWriter = writerFor(mapType.getValueType());
        return (c, pos) -> {
          MapData map = c instanceof RowData r ? r.getMap(pos) : ((ArrayData) c).getMap(pos);
          ArrayData keys = map.keyArray();
          ArrayData values = map.valueArray();
          consumer.startGroup();
          if (map.size() > 0) {
            consumer.startField("key_value", 0);
            for (int i = 0; i < map.size(); i++) {
              consumer.startGroup();
              consumer.startField("key", 0);
              keyWriter.write(keys, i);
              consumer.endField("key", 0);
              if (!values.isNullAt(i)) {
                consumer.startField("value", 1);
                valueWriter.write(values, i);
                consumer.endField("value", 1);
              }
              consumer.endGroup();
            }
            consumer.endField("key_value", 0);
          }
          consumer.endGroup();
        };
      case ROW:
        RowType nested = (RowType) type;
        FieldWriter[] nestedWriters = new FieldWriter[nested.getFieldCount()];
        for (int i = 0; i < nestedWriters.length; i++) {
          nestedWriters[i] = writerFor(nested.getTypeAt(i));
        }
        int arity = nested.getFieldCount();
        return (c, pos) -> {
          RowData row = c instanceof RowData r ? r.getRow(pos, arity) : ((ArrayData) c).getRow(pos, arity);
          consumer.startGroup();
          writeFields(row, nested, nestedWriters);
          consumer.endGroup();
        };
      default:
        throw DeltaTableException.unsupportedType("?", type.asSummaryString());
    }
  }

  static long epochMicros(TimestampData ts) {
    return Math.multiplyExact(ts.getMillisecond(), 1000L) + ts.getNanoOfMillisecond() / 1000;
  }

  private static byte[] fixedWidth(BigDecimal value, int width) {
    byte[] unscaled = value.unscaledValue().toByteArray();
    byte[] out = new byte[width];
    byte pad = (byte) (unscaled[0] < 0 ? -1 : 0);
    int offset = width - unscaled.length;
    for (int i = 0; i < offset; i++) {
      out[i] = pad;
    }
    System.arraycopy(unscaled, 0, out, offset, unscaled.length);
    return out;
  }
}
