package io.tributary.runtime.delta.write;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.DeltaTypesTest;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaTableCommitterTest {

  static final RowType SCALARS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(12, 2)),
                  DataTypes.FIELD("big", DataTypes.DECIMAL(30, 5)),
                  DataTypes.FIELD("day", DataTypes.DATE()),
                  DataTypes.FIELD("ok", DataTypes.BOOLEAN()),
                  DataTypes.FIELD("ratio", DataTypes.DOUBLE()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  private final Configuration conf = new Configuration();

  static Row scalar(long id, String name) {
    return Row.of(
        id,
        name,
        new BigDecimal("-12.5").add(BigDecimal.valueOf(id)).setScale(2),
        new BigDecimal("123456789012345678901.12345").negate().add(BigDecimal.valueOf(id)),
        LocalDate.of(1969, 12, 31).plusDays(id),
        id % 2 == 0,
        id / 3.0);
  }

  private List<DeltaDataFile> write(
      String table, RowType type, List<String> partitions, List<Row> rows) throws Exception {
    try (DeltaFileWriter writer = new DeltaFileWriter(table, type, partitions, 1 << 20, conf, 0)) {
      for (Row row : rows) {
        writer.write(internal(type, row));
      }
      return writer.closeAll();
    }
  }

  @Test
  void appendsAreReadBackByKernelAndStandaloneWithStatisticsAndMicrosTimestamps() throws Exception {
    String table = dir.resolve("t").toString();
    DeltaWriteSpec spec =
        DeltaWriteSpec.append(table, SCALARS, "app")
            .withComment("orders")
            .withProperties(Map.of("quality", "silver"));
    List<Row> rows =
        List.of(
            scalar(1, "a"),
            scalar(2, null),
            scalar(3, "c"),
            Row.of(4L, null, null, null, null, null, null));
    List<DeltaDataFile> files = write(table, SCALARS, List.of(), rows);

    DeltaTableCommitter committer = new DeltaTableCommitter(DefaultEngine.create(conf), spec);
    assertThat(committer.commit(1, files, false)).isEqualTo(OptionalLong.of(0));

    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, SCALARS))
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTableReader.schema(table)).contains(SCALARS);

    String log = Files.readString(dir.resolve("t/_delta_log/00000000000000000000.json"));
    assertThat(log)
        .contains(
            "\"minReaderVersion\":1,\"minWriterVersion\":2",
            "\"txn\":{\"appId\":\"app\",\"version\":1",
            "\"quality\":\"silver\"",
            "\"comment\":\"orders\"",
            "\\\"numRecords\\\":4",
            "\\\"minValues\\\":{",
            "\\\"id\\\":1",
            "\\\"day\\\":\\\"1970-01-01\\\"",
            "\\\"nullCount\\\":{",
            "\\\"name\\\":2");
    MessageType parquet;
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(files.get(0).path()), conf))) {
      parquet = reader.getFooter().getFileMetaData().getSchema();
    }
    assertThat(parquet.getType("amount").toString())
        .isEqualTo("optional fixed_len_byte_array(6) amount (DECIMAL(12,2))");
    assertThat(parquet.getType("big").toString())
        .isEqualTo("optional fixed_len_byte_array(13) big (DECIMAL(30,5))");
    assertThat(files.get(0).path()).startsWith("file:/").endsWith(".snappy.parquet");
  }

  /**
   * Delta Standalone's row reader (parquet4s) cannot decode INT64 TIMESTAMP_MICROS, only INT96, which
   * Tributary never writes: tables with timestamps are checked row by row with Kernel only, and
   * Standalone checks their log (schema, files, statistics as a JSON string).
   */
  @Test
  void timestampsAreInt64MicrosReadByKernelWithTheLogReadByStandalone() throws Exception {
    String table = dir.resolve("ts").toString();
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT()),
                    DataTypes.FIELD("at", DataTypes.TIMESTAMP_LTZ(6)),
                    DataTypes.FIELD("local", DataTypes.TIMESTAMP(3)))
                .notNull()
                .getLogicalType();
    List<Row> rows =
        List.of(
            Row.of(
                1,
                Instant.parse("1969-12-31T23:59:59.999001Z"),
                java.time.LocalDateTime.parse("2024-03-01T10:00:00.123")),
            Row.of(2, Instant.parse("2024-03-01T10:00:00.000007Z"), null));
    List<DeltaDataFile> files = write(table, type, List.of(), rows);
    new DeltaTableCommitter(DefaultEngine.create(conf), DeltaWriteSpec.append(table, type, "app"))
        .commit(1, files, false);
    // TIMESTAMP(3) without zone is stored as UTC and read back as an instant
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrder(
            Row.of(
                1,
                Instant.parse("1969-12-31T23:59:59.999001Z"),
                Instant.parse("2024-03-01T10:00:00.123Z")),
            Row.of(2, Instant.parse("2024-03-01T10:00:00.000007Z"), null));
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(files.get(0).path()), conf))) {
      MessageType parquet = reader.getFooter().getFileMetaData().getSchema();
      assertThat(parquet.getType("at").toString())
          .isEqualTo("optional int64 at (TIMESTAMP(MICROS,true))");
      assertThat(parquet.getType("local").toString())
          .isEqualTo("optional int64 local (TIMESTAMP(MICROS,true))");
    }
    io.delta.standalone.Snapshot standalone =
        io.delta.standalone.DeltaLog.forTable(conf, table).snapshot();
    assertThat(standalone.getMetadata().getSchema().get("at").getDataType().getTypeName())
        .isEqualTo("timestamp");
    assertThat(standalone.getAllFiles())
        .singleElement()
        .satisfies(
            add ->
                assertThat(add.getStats())
                    .contains(
                        "\"numRecords\":2", "\"minValues\":{", "\"at\":\"1969-12-31T23:59:59.999"));
  }

  @Test
  void nestedTypesRoundTripThroughKernel() throws Exception {
    String table = dir.resolve("nested").toString();
    RowType type = DeltaTypesTest.ALL_TYPES;
    Row full =
        Row.of(
            "s",
            true,
            (byte) -3,
            (short) 300,
            7,
            8L,
            1.5f,
            -2.25,
            new BigDecimal("1.23"),
            new BigDecimal("12.345"),
            new BigDecimal("-1234567890123456789012345.6789"),
            LocalDate.of(2024, 2, 29),
            Instant.parse("2024-02-29T10:11:12.123456Z"),
            new byte[] {1, 2},
            new String[] {"x", null, "z"},
            Map.of("k", 1L),
            Row.of(5, "y"));
    Row empty =
        Row.of(
            "t",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new String[0],
            Map.of(),
            Row.of(6, null));
    List<DeltaDataFile> files = write(table, type, List.of(), List.of(full, empty));
    new DeltaTableCommitter(DefaultEngine.create(conf), DeltaWriteSpec.append(table, type, "app"))
        .commit(1, files, false);
    List<Row> read = DeltaTableReader.readAll(table);
    assertThat(read).hasSize(2);
    Row first = read.stream().filter(r -> "s".equals(r.getField(0))).findFirst().orElseThrow();
    assertThat(first.toString()).isEqualTo(full.toString());
    assertThat((byte[]) first.getField(13)).containsExactly(1, 2);
    assertThat(
            read.stream()
                .filter(r -> "t".equals(r.getField(0)))
                .findFirst()
                .orElseThrow()
                .toString())
        .isEqualTo(empty.toString());
  }

  @Test
  void aReplayedTransactionIsSkipped() throws Exception {
    String table = dir.resolve("replay").toString();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.append(table, SCALARS, "app"));
    List<DeltaDataFile> first = write(table, SCALARS, List.of(), List.of(scalar(1, "a")));
    List<DeltaDataFile> second = write(table, SCALARS, List.of(), List.of(scalar(2, "b")));
    assertThat(committer.commit(1, first, false)).isPresent();
    assertThat(committer.commit(1, first, false)).isEmpty();
    assertThat(committer.commit(2, second, false)).isPresent();
    assertThat(committer.commit(1, first, false)).isEmpty();
    assertThat(committer.latestTransactionVersion()).isEqualTo(OptionalLong.of(2));
    assertThat(DeltaTableReader.version(table)).isEqualTo(1);
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrder(scalar(1, "a"), scalar(2, "b"));

    // a full refresh renews the generation in the app id: its epochs start again at 1 and commit
    DeltaTableCommitter nextGeneration =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.append(table, SCALARS, "app-generation-2"));
    assertThat(
            nextGeneration.commit(
                1, write(table, SCALARS, List.of(), List.of(scalar(3, "c"))), false))
        .isPresent();
    assertThat(DeltaTableReader.readAll(table)).hasSize(3);
  }

  @Test
  void aSpecSurvivesJavaSerializationWithItsComment() throws Exception {
    DeltaWriteSpec spec =
        DeltaWriteSpec.append("/tmp/t", SCALARS, "app")
            .withComment("orders")
            .withPartitionColumns(List.of("name"))
            .withProperties(Map.of("k", "v"));
    assertThat(org.apache.flink.util.InstantiationUtil.clone(spec)).isEqualTo(spec);
  }

  @Test
  void everyTenthCommitWritesADeltaCheckpointThatBothReadersUse() throws Exception {
    String table = dir.resolve("cp").toString();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.append(table, SCALARS, "app"));
    List<Row> rows = new ArrayList<>();
    for (long epoch = 1; epoch <= 12; epoch++) {
      rows.add(scalar(epoch, "e" + epoch));
      committer.commit(
          epoch, write(table, SCALARS, List.of(), List.of(rows.get(rows.size() - 1))), false);
    }
    assertThat(dir.resolve("cp/_delta_log/00000000000000000010.checkpoint.parquet")).exists();
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, SCALARS))
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(committer.latestTransactionVersion()).isEqualTo(OptionalLong.of(12));
    assertThat(committer.commit(5, List.of(), false)).isEmpty();
  }

  @Test
  void anOverwriteReplacesEverythingInOneCommitAndIsIdempotent() throws Exception {
    String table = dir.resolve("ow").toString();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.overwrite(table, SCALARS, "mat", 1));
    committer.commit(
        1, write(table, SCALARS, List.of(), List.of(scalar(1, "a"), scalar(2, "b"))), true);
    assertThat(committer.commit(2, write(table, SCALARS, List.of(), List.of(scalar(3, "c"))), true))
        .isEqualTo(OptionalLong.of(1));
    assertThat(committer.commit(2, write(table, SCALARS, List.of(), List.of(scalar(4, "d"))), true))
        .isEmpty();
    assertThat(DeltaTableReader.readAll(table)).containsExactly(scalar(3, "c"));
    assertThat(DeltaTestSupport.readWithStandalone(table, SCALARS)).containsExactly(scalar(3, "c"));
    assertThat(DeltaTableReader.readAll(table, 0))
        .containsExactlyInAnyOrder(scalar(1, "a"), scalar(2, "b"));
    String log = Files.readString(dir.resolve("ow/_delta_log/00000000000000000001.json"));
    assertThat(log).contains("\"remove\":{").contains("\"add\":{");
  }

  @Test
  void writingAnotherSchemaToAnExistingTableIsAClearError() throws Exception {
    String table = dir.resolve("schema").toString();
    new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.append(table, SCALARS, "app"))
        .commit(1, write(table, SCALARS, List.of(), List.of(scalar(1, "a"))), false);
    RowType other =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("extra", DataTypes.INT()))
                .notNull()
                .getLogicalType();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.append(table, other, "app"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> committer.commit(2, List.of(), false))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '"
                + table
                + "': column 'name' (string) is in the table but the job no longer writes it"
                + " (it writes [id, extra]). Only new nullable columns at the end can be added in place; select the"
                + " column again, or run a full refresh of the table: tributary start PIPELINE.yml"
                + " --full-refresh-tables schema.");
  }

  @Test
  void badPartitionColumnsAreReportedTogether() {
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("ratio", DataTypes.DOUBLE()))
                .getLogicalType();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DeltaWriteSpec.append("/tmp/t", type, "app")
                    .withPartitionColumns(List.of("ratio", "nope")))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '/tmp/t': partition column 'ratio' has type DOUBLE; partition column 'nope' is"
                + " not a column of [id, ratio]. Partition by top-level columns of type STRING, BOOLEAN,"
                + " TINYINT, SMALLINT, INT, BIGINT or DATE.");
  }

  @Test
  void partitionValuesGoToThePathAndTheAddAction() throws Exception {
    String table = dir.resolve("part").toString();
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("country", DataTypes.STRING()),
                    DataTypes.FIELD("day", DataTypes.DATE()))
                .getLogicalType();
    DeltaWriteSpec spec =
        DeltaWriteSpec.append(table, type, "app").withPartitionColumns(List.of("country", "day"));
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 9; i++) {
      rows.add(
          Row.of(
              i,
              i % 3 == 0 ? null : i % 3 == 1 ? "F/R" : "DE",
              LocalDate.of(2024, 1, 1 + (int) (i % 2))));
    }
    List<DeltaDataFile> files = write(table, type, spec.partitionColumns(), rows);
    assertThat(files).hasSize(6);
    new DeltaTableCommitter(DefaultEngine.create(conf), spec).commit(1, files, false);
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, type))
        .containsExactlyInAnyOrderElementsOf(rows);
    try (Stream<Path> paths = Files.walk(dir.resolve("part"))) {
      assertThat(paths.map(p -> dir.resolve("part").relativize(p).toString()))
          .contains(
              "country=F%2FR/day=2024-01-02", "country=__HIVE_DEFAULT_PARTITION__/day=2024-01-01");
    }
  }
}
