package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.function.IntConsumer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
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

  private final MessageType schema;
  private final String[] names;
  private final FieldWriter[] writers;
  private RecordConsumer consumer;

  RowDataWriteSupport(RowType rowType) {
    this.schema = parquetSchema(rowType);
    this.names = rowType.getFieldNames().toArray(String[]::new);
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
            .as(LogicalTypeAnnotation.stringType())
            .named(name);
      case BOOLEAN:
        return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
      case TINYINT:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.intType(8, true))
            .named(name);
      case SMALLINT:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.intType(16, true))
            .named(name);
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
            .length(decimalBytes(decimal.getPrecision()))
            .as(annotation)
            .named(name);
      case DATE:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.dateType())
            .named(name);
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
        return Types.buildGroup(repetition)
            .as(LogicalTypeAnnotation.listType())
            .addField(Types.repeatedGroup().addField(parquetType("element", element)).named("list"))
            .named(name);
      case MAP:
        MapType map = (MapType) type;
        return Types.buildGroup(repetition)
            .as(LogicalTypeAnnotation.mapType())
            .addField(
                Types.repeatedGroup()
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
  @SuppressWarnings(
      "deprecation") // the abstract method every Parquet 1.16 write support must implement
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
    writeFields(row, names, writers);
    consumer.endMessage();
  }

  private void writeFields(RowData row, String[] fieldNames, FieldWriter[] fieldWriters) {
    for (int i = 0; i < fieldWriters.length; i++) {
      if (!row.isNullAt(i)) {
        consumer.startField(fieldNames[i], i);
        fieldWriters[i].fromRow().write(row, i);
        consumer.endField(fieldNames[i], i);
      }
    }
  }

  /** Writes the value at a position of a row. */
  @FunctionalInterface
  private interface FromRow {
    void write(RowData row, int pos);
  }

  /** Writes the element at a position of an array (or of a map's keys or values). */
  @FunctionalInterface
  private interface FromArray {
    void write(ArrayData array, int pos);
  }

  /**
   * Writes a value of one type, made once per column from the row type, as Flink's own Parquet writer
   * does: a value is written by a direct call, whether it sits in a row or in an array. The position is
   * known not to be null.
   */
  private record FieldWriter(FromRow fromRow, FromArray fromArray) {}

  /**
   * A string's UTF-8 bytes where they already are, in its row's or line's array, not copied out of it
   * ({@code toBytes()} copies a string that is not a whole array): Parquet copies a reused value it
   * keeps (a dictionary entry, a page's minimum and maximum).
   */
  private static Binary utf8(StringData string) {
    if (string instanceof BinaryStringData binary) {
      binary.ensureMaterialized();
      MemorySegment[] segments = binary.getSegments();
      if (segments.length == 1 && !segments[0].isOffHeap()) {
        return Binary.fromReusedByteArray(
            segments[0].getArray(), binary.getOffset(), binary.getSizeInBytes());
      }
    }
    return Binary.fromReusedByteArray(string.toBytes());
  }

  private FieldWriter writerFor(LogicalType type) {
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return new FieldWriter(
            (r, pos) -> consumer.addBinary(utf8(r.getString(pos))),
            (a, pos) -> consumer.addBinary(utf8(a.getString(pos))));
      case BOOLEAN:
        return new FieldWriter(
            (r, pos) -> consumer.addBoolean(r.getBoolean(pos)),
            (a, pos) -> consumer.addBoolean(a.getBoolean(pos)));
      case TINYINT:
        return new FieldWriter(
            (r, pos) -> consumer.addInteger(r.getByte(pos)),
            (a, pos) -> consumer.addInteger(a.getByte(pos)));
      case SMALLINT:
        return new FieldWriter(
            (r, pos) -> consumer.addInteger(r.getShort(pos)),
            (a, pos) -> consumer.addInteger(a.getShort(pos)));
      case INTEGER:
      case DATE:
        return new FieldWriter(
            (r, pos) -> consumer.addInteger(r.getInt(pos)),
            (a, pos) -> consumer.addInteger(a.getInt(pos)));
      case BIGINT:
        return new FieldWriter(
            (r, pos) -> consumer.addLong(r.getLong(pos)),
            (a, pos) -> consumer.addLong(a.getLong(pos)));
      case FLOAT:
        return new FieldWriter(
            (r, pos) -> consumer.addFloat(r.getFloat(pos)),
            (a, pos) -> consumer.addFloat(a.getFloat(pos)));
      case DOUBLE:
        return new FieldWriter(
            (r, pos) -> consumer.addDouble(r.getDouble(pos)),
            (a, pos) -> consumer.addDouble(a.getDouble(pos)));
      case DECIMAL:
        DecimalType decimal = (DecimalType) type;
        int precision = decimal.getPrecision();
        int scale = decimal.getScale();
        int width = decimalBytes(precision);
        return new FieldWriter(
            (r, pos) -> writeDecimal(r.getDecimal(pos, precision, scale), width),
            (a, pos) -> writeDecimal(a.getDecimal(pos, precision, scale), width));
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        int p =
            type.getTypeRoot() == LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
                ? ((TimestampType) type).getPrecision()
                : ((LocalZonedTimestampType) type).getPrecision();
        return new FieldWriter(
            (r, pos) -> consumer.addLong(epochMicros(r.getTimestamp(pos, p))),
            (a, pos) -> consumer.addLong(epochMicros(a.getTimestamp(pos, p))));
      case BINARY:
      case VARBINARY:
        return new FieldWriter(
            (r, pos) -> consumer.addBinary(Binary.fromReusedByteArray(r.getBinary(pos))),
            (a, pos) -> consumer.addBinary(Binary.fromReusedByteArray(a.getBinary(pos))));
      case ARRAY:
        FromArray element = writerFor(((ArrayType) type).getElementType()).fromArray();
        return new FieldWriter(
            (r, pos) -> writeArray(r.getArray(pos), element),
            (a, pos) -> writeArray(a.getArray(pos), element));
      case MAP:
        MapType mapType = (MapType) type;
        FromArray key = writerFor(mapType.getKeyType()).fromArray();
        FromArray value = writerFor(mapType.getValueType()).fromArray();
        return new FieldWriter(
            (r, pos) -> writeMap(r.getMap(pos), key, value),
            (a, pos) -> writeMap(a.getMap(pos), key, value));
      case ROW:
        RowType nested = (RowType) type;
        String[] nestedNames = nested.getFieldNames().toArray(String[]::new);
        FieldWriter[] nestedWriters = new FieldWriter[nested.getFieldCount()];
        for (int i = 0; i < nestedWriters.length; i++) {
          nestedWriters[i] = writerFor(nested.getTypeAt(i));
        }
        int arity = nested.getFieldCount();
        return new FieldWriter(
            (r, pos) -> writeRow(r.getRow(pos, arity), nestedNames, nestedWriters),
            (a, pos) -> writeRow(a.getRow(pos, arity), nestedNames, nestedWriters));
      default:
        throw DeltaTableException.unsupportedType("?", type.asSummaryString());
    }
  }

  private void writeRow(RowData row, String[] fieldNames, FieldWriter[] fieldWriters) {
    consumer.startGroup();
    writeFields(row, fieldNames, fieldWriters);
    consumer.endGroup();
  }

  /** A 3-level list: {@code <list> { repeated list { element } }}, an empty group for an empty array. */
  private void writeArray(ArrayData array, FromArray element) {
    writeRepeated(
        "list",
        array.size(),
        i -> {
          if (!array.isNullAt(i)) {
            writeElement("element", 0, element, array, i);
          }
        });
  }

  /** {@code <map> { repeated key_value { key, value } }}; keys are never null. */
  private void writeMap(MapData map, FromArray key, FromArray value) {
    ArrayData keys = map.keyArray();
    ArrayData values = map.valueArray();
    writeRepeated(
        "key_value",
        map.size(),
        i -> {
          writeElement("key", 0, key, keys, i);
          if (!values.isNullAt(i)) {
            writeElement("value", 1, value, values, i);
          }
        });
  }

  /** A group holding {@code size} repeated groups in field {@code field}, each written by {@code entry}. */
  private void writeRepeated(String field, int size, IntConsumer entry) {
    consumer.startGroup();
    if (size > 0) {
      consumer.startField(field, 0);
      for (int i = 0; i < size; i++) {
        consumer.startGroup();
        entry.accept(i);
        consumer.endGroup();
      }
      consumer.endField(field, 0);
    }
    consumer.endGroup();
  }

  private void writeElement(String field, int index, FromArray writer, ArrayData array, int pos) {
    consumer.startField(field, index);
    writer.write(array, pos);
    consumer.endField(field, index);
  }

  /**
   * FIXED_LEN_BYTE_ARRAY: the unscaled value big-endian, sign-extended to {@code width} bytes. A compact
   * decimal (precision up to 18) is taken from its long, without a BigDecimal.
   */
  private void writeDecimal(DecimalData value, int width) {
    byte[] out = new byte[width];
    if (value.isCompact()) {
      long unscaled = value.toUnscaledLong();
      for (int i = width - 1; i >= 0; i--) {
        out[i] = (byte) unscaled;
        unscaled >>= 8;
      }
    } else {
      fixedWidth(value.toBigDecimal(), out);
    }
    consumer.addBinary(Binary.fromConstantByteArray(out));
  }

  static long epochMicros(TimestampData ts) {
    return Math.multiplyExact(ts.getMillisecond(), 1000L) + ts.getNanoOfMillisecond() / 1000;
  }

  private static void fixedWidth(BigDecimal value, byte[] out) {
    byte[] unscaled = value.unscaledValue().toByteArray();
    int width = out.length;
    byte pad = (byte) (unscaled[0] < 0 ? -1 : 0);
    int offset = width - unscaled.length;
    for (int i = 0; i < offset; i++) {
      out[i] = pad;
    }
    System.arraycopy(unscaled, 0, out, offset, unscaled.length);
  }
}
