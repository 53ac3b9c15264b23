package io.tributary.runtime.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.types.StructType;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

public class DeltaTypesTest {

  public static final RowType ALL_TYPES =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("s", DataTypes.STRING().notNull()),
                  DataTypes.FIELD("b", DataTypes.BOOLEAN()),
                  DataTypes.FIELD("t", DataTypes.TINYINT()),
                  DataTypes.FIELD("sm", DataTypes.SMALLINT()),
                  DataTypes.FIELD("i", DataTypes.INT()),
                  DataTypes.FIELD("l", DataTypes.BIGINT()),
                  DataTypes.FIELD("f", DataTypes.FLOAT()),
                  DataTypes.FIELD("d", DataTypes.DOUBLE()),
                  DataTypes.FIELD("dec", DataTypes.DECIMAL(10, 2)),
                  DataTypes.FIELD("dec_small", DataTypes.DECIMAL(5, 3)),
                  DataTypes.FIELD("dec_big", DataTypes.DECIMAL(30, 4)),
                  DataTypes.FIELD("dt", DataTypes.DATE()),
                  DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(6)),
                  DataTypes.FIELD("bin", DataTypes.BYTES()),
                  DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.STRING())),
                  DataTypes.FIELD(
                      "m", DataTypes.MAP(DataTypes.STRING().notNull(), DataTypes.BIGINT())),
                  DataTypes.FIELD(
                      "r",
                      DataTypes.ROW(
                          DataTypes.FIELD("x", DataTypes.INT().notNull()),
                          DataTypes.FIELD("y", DataTypes.STRING()))))
              .notNull()
              .getLogicalType();

  @Test
  void everySupportedTypeMapsToDeltaAndBack() {
    StructType struct = DeltaTypes.toStructType(ALL_TYPES);
    assertThat(struct.toJson())
        .contains(
            "{\"name\":\"s\",\"type\":\"string\",\"nullable\":false",
            "{\"name\":\"t\",\"type\":\"byte\",\"nullable\":true",
            "{\"name\":\"sm\",\"type\":\"short\"",
            "{\"name\":\"i\",\"type\":\"integer\"",
            "{\"name\":\"l\",\"type\":\"long\"",
            "{\"name\":\"dec\",\"type\":\"decimal(10,2)\"",
            "{\"name\":\"dec_big\",\"type\":\"decimal(30,4)\"",
            "{\"name\":\"dt\",\"type\":\"date\"",
            "{\"name\":\"ts\",\"type\":\"timestamp\"",
            "{\"name\":\"bin\",\"type\":\"binary\"",
            "\"type\":{\"type\":\"array\",\"elementType\":\"string\",\"containsNull\":true}",
            "\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"long\",\"valueContainsNull\":true}",
            "{\"name\":\"x\",\"type\":\"integer\",\"nullable\":false");
    assertThat(DeltaTypes.toRowType(struct)).isEqualTo(ALL_TYPES);
  }

  @Test
  void charVarcharAndZonelessTimestampsMapToTheDeltaTypesOfTheTable() {
    RowType flink =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("c", DataTypes.CHAR(3)),
                    DataTypes.FIELD("v", DataTypes.VARCHAR(10)),
                    DataTypes.FIELD("local", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("vb", DataTypes.VARBINARY(4)))
                .getLogicalType();
    StructType struct = DeltaTypes.toStructType(flink);
    assertThat(struct.fields())
        .extracting(f -> f.getDataType().toString())
        .containsExactly("string", "string", "timestamp", "binary");
    // read back: the widest Flink type of each Delta type; timestamps as instants
    assertThat(DeltaTypes.toRowType(struct).asSummaryString())
        .isEqualTo("ROW<`c` STRING, `v` STRING, `local` TIMESTAMP_LTZ(6), `vb` BYTES> NOT NULL");
  }

  @Test
  void anUnsupportedTypeIsRejectedNamingTheColumn() {
    RowType flink =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("ok", DataTypes.INT()),
                    DataTypes.FIELD(
                        "nested",
                        DataTypes.ROW(
                            DataTypes.FIELD("span", DataTypes.INTERVAL(DataTypes.SECOND(3))))))
                .getLogicalType();
    assertThatThrownBy(() -> DeltaTypes.toStructType(flink))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Column 'nested.span' has type INTERVAL SECOND(3), which Tributary cannot store in a"
                + " Delta table. Supported: STRING/VARCHAR/CHAR, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT,"
                + " FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, TIMESTAMP_LTZ, BINARY/VARBINARY, ARRAY, MAP,"
                + " ROW. Cast the column to one of them in the query.");
  }
}
