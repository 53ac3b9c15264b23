package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet layout of data files: every supported type, as a column and as an array element (values
 * in rows and in arrays are written by different accessors), arrays of rows and maps with null values,
 * reads back through Kernel as written; the Parquet schema is pinned. (An array of arrays is written,
 * but {@link DeltaTableReader} cannot convert it back to external values, so it is not read here.)
 */
class RowDataWriteSupportTest {

  @TempDir Path dir;

  /** Each scalar type with a value and the value's external (Row) form. */
  private static final Map<String, DataType> SCALARS = new java.util.LinkedHashMap<>();

  private static final Map<String, Object[]> VALUES = new HashMap<>();

  static {
    scalar("s", DataTypes.STRING(), "x", "");
    scalar("b", DataTypes.BOOLEAN(), true, false);
    scalar("t", DataTypes.TINYINT(), (byte) -3, Byte.MAX_VALUE);
    scalar("sm", DataTypes.SMALLINT(), (short) 300, Short.MIN_VALUE);
    scalar("i", DataTypes.INT(), 7, Integer.MIN_VALUE);
    scalar("l", DataTypes.BIGINT(), 8L, Long.MAX_VALUE);
    scalar("f", DataTypes.FLOAT(), 1.5f, -0.25f);
    scalar("d", DataTypes.DOUBLE(), -2.25, 1e300);
    scalar("dec", DataTypes.DECIMAL(10, 2), new BigDecimal("1.23"), new BigDecimal("-99999999.99"));
    scalar(
        "dec_small", DataTypes.DECIMAL(5, 3), new BigDecimal("12.345"), new BigDecimal("-0.001"));
    scalar(
        "dec_long",
        DataTypes.DECIMAL(18, 0),
        new BigDecimal("-999999999999999999"),
        new BigDecimal("1"));
    scalar(
        "dec_big",
        DataTypes.DECIMAL(30, 4),
        new BigDecimal("-1234567890123456789012345.6789"),
        new BigDecimal("0.0001"));
    scalar("dt", DataTypes.DATE(), LocalDate.of(2024, 2, 29), LocalDate.of(1969, 12, 31));
    scalar(
        "ts",
        DataTypes.TIMESTAMP_LTZ(6),
        Instant.parse("2024-02-29T10:11:12.123456Z"),
        Instant.parse("1969-12-31T23:59:59.999999Z"));
    scalar("bin", DataTypes.BYTES(), new byte[] {1, 2}, new byte[0]);
  }

  private static void scalar(String name, DataType type, Object value, Object other) {
    SCALARS.put(name, type);
    VALUES.put(name, new Object[] {value, other});
  }

  private static RowType type() {
    List<DataTypes.Field> fields = new ArrayList<>();
    SCALARS.forEach((name, type) -> fields.add(DataTypes.FIELD(name, type)));
    SCALARS.forEach(
        (name, type) -> fields.add(DataTypes.FIELD("a_" + name, DataTypes.ARRAY(type))));
    fields.add(
        DataTypes.FIELD(
            "rows",
            DataTypes.ARRAY(
                DataTypes.ROW(
                    DataTypes.FIELD("x", DataTypes.INT().notNull()),
                    DataTypes.FIELD("y", DataTypes.ARRAY(DataTypes.STRING()))))));
    fields.add(
        DataTypes.FIELD(
            "m", DataTypes.MAP(DataTypes.STRING().notNull(), DataTypes.ARRAY(DataTypes.BIGINT()))));
    fields.add(
        DataTypes.FIELD(
            "r",
            DataTypes.ROW(
                DataTypes.FIELD("x", DataTypes.DECIMAL(10, 2)),
                DataTypes.FIELD(
                    "y", DataTypes.MAP(DataTypes.INT().notNull(), DataTypes.STRING())))));
    return (RowType)
        DataTypes.ROW(fields.toArray(DataTypes.Field[]::new)).notNull().getLogicalType();
  }

  /** A row with every value, arrays holding both values of their type and a null. */
  private static Row full() {
    List<Object> values = new ArrayList<>();
    SCALARS.keySet().forEach(name -> values.add(VALUES.get(name)[0]));
    SCALARS.forEach(
        (name, type) -> {
          Object[] array =
              (Object[]) java.lang.reflect.Array.newInstance(type.getConversionClass(), 3);
          array[0] = VALUES.get(name)[0];
          array[2] = VALUES.get(name)[1];
          values.add(array);
        });
    values.add(new Row[] {Row.of(1, new String[] {"p", null}), null, Row.of(2, null)});
    Map<String, Long[]> map = new HashMap<>();
    map.put("k", new Long[] {3L, null});
    map.put("none", null);
    values.add(map);
    Map<Integer, String> inner = new HashMap<>();
    inner.put(1, "one");
    inner.put(2, null);
    values.add(Row.of(new BigDecimal("-0.50"), inner));
    return Row.of(values.toArray());
  }

  /** A row of nulls and empty collections. */
  private static Row empty() {
    List<Object> values = new ArrayList<>();
    SCALARS.keySet().forEach(name -> values.add(null));
    SCALARS.forEach(
        (name, type) ->
            values.add(java.lang.reflect.Array.newInstance(type.getConversionClass(), 0)));
    values.add(new Row[0]);
    values.add(Map.of());
    values.add(Row.of(null, null));
    return Row.of(values.toArray());
  }

  @Test
  void everyTypeAsAColumnAndAsAnArrayElementReadsBackAsWritten() throws Exception {
    RowType type = type();
    String table = dir.resolve("t").toString();
    List<Row> rows = List.of(full(), empty());
    new DeltaTableCommitter(
            DefaultEngine.create(new Configuration()), DeltaWriteSpec.append(table, type, "app"))
        .commit(1, DeltaTestSupport.write(table, type, List.of(), rows.toArray(Row[]::new)), false);
    List<String> read = DeltaTableReader.readAll(table).stream().map(Row::toString).toList();
    assertThat(read).containsExactlyInAnyOrderElementsOf(rows.stream().map(Row::toString).toList());
    assertThat(read.get(0))
        .contains("[1, 2]", "-1234567890123456789012345.6789", "2024-02-29T10:11:12.123456Z");
  }

  @Test
  void theParquetSchemaKeepsItsTypesAndAnnotations() {
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("s", DataTypes.STRING().notNull()),
                    DataTypes.FIELD("c", DataTypes.CHAR(3)),
                    DataTypes.FIELD("t", DataTypes.TINYINT()),
                    DataTypes.FIELD("sm", DataTypes.SMALLINT()),
                    DataTypes.FIELD("dec", DataTypes.DECIMAL(5, 3)),
                    DataTypes.FIELD("dec_big", DataTypes.DECIMAL(30, 4)),
                    DataTypes.FIELD("dt", DataTypes.DATE()),
                    DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("ltz", DataTypes.TIMESTAMP_LTZ(6)),
                    DataTypes.FIELD("bin", DataTypes.BYTES()),
                    DataTypes.FIELD("a", DataTypes.ARRAY(DataTypes.INT())),
                    DataTypes.FIELD(
                        "m", DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE().notNull())),
                    DataTypes.FIELD("r", DataTypes.ROW(DataTypes.FIELD("x", DataTypes.BOOLEAN()))))
                .getLogicalType();
    assertThat(
            RowDataWriteSupport.parquetSchema(type).toString().lines().map(String::strip).toList())
        .isEqualTo(
            Arrays.asList(
                "message spark_schema {",
                "required binary s (STRING);",
                "optional binary c (STRING);",
                "optional int32 t (INTEGER(8,true));",
                "optional int32 sm (INTEGER(16,true));",
                "optional fixed_len_byte_array(3) dec (DECIMAL(5,3));",
                "optional fixed_len_byte_array(13) dec_big (DECIMAL(30,4));",
                "optional int32 dt (DATE);",
                "optional int64 ts (TIMESTAMP(MICROS,true));",
                "optional int64 ltz (TIMESTAMP(MICROS,true));",
                "optional binary bin;",
                "optional group a (LIST) {",
                "repeated group list {",
                "optional int32 element;",
                "}",
                "}",
                "optional group m (MAP) {",
                "repeated group key_value {",
                "required binary key (STRING);",
                "required double value;",
                "}",
                "}",
                "optional group r {",
                "optional boolean x;",
                "}",
                "}"));
  }
}
