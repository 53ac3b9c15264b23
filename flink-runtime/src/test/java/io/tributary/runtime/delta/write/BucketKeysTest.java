package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** Keys and buckets of keyed tables: part of the layout on disk, so pinned. */
class BucketKeysTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("region", DataTypes.STRING()),
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
                  DataTypes.FIELD("at", DataTypes.TIMESTAMP(6)),
                  DataTypes.FIELD("payload", DataTypes.STRING()))
              .getLogicalType();

  private static RowData row(String region, Long id, String payload) {
    return DeltaTestSupport.internal(
        TYPE,
        Row.of(
            region,
            id,
            new BigDecimal("1.50"),
            LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6000),
            payload));
  }

  @Test
  void bucketsArePinnedBecauseTheyArePartOfTheTableLayout() {
    BucketKeys keys = new BucketKeys(TYPE, List.of("region", "id"), 16);
    int[] buckets = new int[8];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = keys.bucket(row("eu", (long) i, "x"));
    }
    // changing the encoding or the hash moves every row of every existing keyed table
    assertThat(buckets).containsExactly(8, 15, 10, 8, 8, 4, 5, 0);
    assertThat(keys.bucket(row(null, null, "x"))).isBetween(0, 15);
  }

  @Test
  void equalKeysAreEqualWhateverTheRowImplementationAndOtherColumns() {
    BucketKeys keys = new BucketKeys(TYPE, List.of("region", "id", "amount", "at"), 7);
    RowData generic = row("eu", 42L, "a");
    RowData binary = new RowDataSerializer(TYPE).toBinaryRow(row("eu", 42L, "b"));
    assertThat(keys.key(binary)).isEqualTo(keys.key(generic));
    assertThat(keys.bucket(binary)).isEqualTo(keys.bucket(generic));
    assertThat(keys.key(row("eu", 43L, "a"))).isNotEqualTo(keys.key(generic));
    // a null is not the empty string, and column boundaries are kept
    assertThat(keys.key(row(null, 42L, "a"))).isNotEqualTo(keys.key(row("", 42L, "a")));
    BucketKeys two =
        new BucketKeys(
            (RowType)
                DataTypes.ROW(
                        DataTypes.FIELD("a", DataTypes.STRING()),
                        DataTypes.FIELD("b", DataTypes.STRING()))
                    .getLogicalType(),
            List.of("a", "b"),
            7);
    assertThat(two.key(GenericRowData.of(StringData.fromString("ab"), StringData.fromString("c"))))
        .isNotEqualTo(
            two.key(GenericRowData.of(StringData.fromString("a"), StringData.fromString("bc"))));
  }

  @Test
  void bucketsSpreadKeys() {
    BucketKeys keys = new BucketKeys(TYPE, List.of("id"), 16);
    int[] counts = new int[16];
    for (long id = 0; id < 16_000; id++) {
      counts[keys.bucket(row("eu", id, "x"))]++;
    }
    assertThat(java.util.Arrays.stream(counts).boxed().toList())
        .allSatisfy(c -> assertThat(c).isBetween(850, 1150));
  }

  @Test
  void bucketDirectoriesRoundTrip() {
    assertThat(BucketKeys.directory(7)).isEqualTo("bucket=00007");
    assertThat(BucketKeys.bucketOf("file:/t/bucket=00007/part-00001-x-0.snappy.parquet"))
        .isEqualTo(7);
    assertThat(BucketKeys.bucketOf("file:/t/part-00001-x-0.snappy.parquet")).isEqualTo(-1);
    assertThat(BucketKeys.bucketOf("file:/t/p=bucket/part-0.snappy.parquet")).isEqualTo(-1);
  }

  @Test
  void badKeysAreReportedTogether() {
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())),
                    DataTypes.FIELD("p", DataTypes.STRING()))
                .getLogicalType();
    assertThatThrownBy(
            () ->
                new DeltaWriteSpec(
                    "/t",
                    type,
                    DeltaWriteSpec.WriteMode.UPSERT,
                    "app",
                    1,
                    List.of("p"),
                    java.util.Optional.empty(),
                    Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "0"),
                    List.of("tags", "nope")))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '/t': key column 'tags' has type ARRAY<STRING>, which cannot be a key (use a"
                + " string, integer, decimal, date, timestamp or binary column); key column 'nope' is not a"
                + " column of [id, tags, p]; a keyed table is laid out in hash buckets and cannot also be"
                + " partitioned by [p]; table property tributary.buckets is '0', not a whole number from 1"
                + " to 99999. Give an upsert table the top-level columns that identify a row as key columns,"
                + " no partition columns, and a bucket count from 1 to 99999.");
    assertThatThrownBy(() -> DeltaWriteSpec.upsert("/t", type, "app", List.of()))
        .hasMessageContaining("write mode UPSERT needs at least one key column");
    assertThat(DeltaWriteSpec.upsert("/t", type, "app", List.of("id")).buckets()).isEqualTo(16);
  }
}
