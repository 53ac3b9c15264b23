package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

class SequenceOrderTest {

  private static final RowType TYPE =
      RowType.of(
          new LogicalType[] {
            new TimestampType(3),
            new DecimalType(10, 2),
            VarCharType.STRING_TYPE,
            VarBinaryType.ofEmptyLiteral().copy(true)
          },
          new String[] {"ts", "amount", "s", "b"});
  private final SequenceOrder order = new SequenceOrder(TYPE);

  private static RowData seq(String ts, String amount, String s, int b) {
    return GenericRowData.of(
        TimestampData.fromLocalDateTime(LocalDateTime.parse(ts)),
        DecimalData.fromBigDecimal(new BigDecimal(amount), 10, 2),
        StringData.fromString(s),
        new byte[] {(byte) b});
  }

  @Test
  void comparesFieldByFieldFirstFieldFirst() {
    assertThat(
            order.compare(
                seq("2024-01-01T00:00:00", "9.99", "z", 9),
                seq("2024-01-01T00:00:01", "0.01", "a", 0)))
        .isNegative();
    assertThat(
            order.compare(
                seq("2024-01-01T00:00:00", "10.00", "a", 0),
                seq("2024-01-01T00:00:00", "9.99", "z", 9)))
        .isPositive();
    assertThat(
            order.compare(
                seq("2024-01-01T00:00:00", "1.00", "ab", 0),
                seq("2024-01-01T00:00:00", "1.00", "b", 0)))
        .isNegative();
    // Bytes compare unsigned: 0xF0 sorts after 0x10.
    assertThat(
            order.compare(
                seq("2024-01-01T00:00:00", "1.00", "a", 0xF0),
                seq("2024-01-01T00:00:00", "1.00", "a", 0x10)))
        .isPositive();
  }

  @Test
  void aSequenceReadBackFromStateComparesEqualToTheSameValue() {
    RowData generic = seq("2024-05-06T07:08:09.123", "3.14", "k", 1);
    RowData binary = new RowDataSerializer(TYPE).toBinaryRow(generic).copy();
    assertThat(order.compare(generic, binary)).isZero();
    assertThat(order.compare(binary, generic)).isZero();
  }
}
