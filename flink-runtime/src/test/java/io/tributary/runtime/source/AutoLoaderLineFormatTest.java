package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderLineFormatTest {

  @TempDir Path dir;

  private static RowType type(AutoLoader spec) {
    return AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
  }

  private static String rescued(RowData row) {
    int last = row.getArity() - 1;
    return row.isNullAt(last) ? null : row.getString(last).toString();
  }

  @Test
  void jsonParsesEveryType() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema(
                "s STRING, b BOOLEAN, ti TINYINT, si SMALLINT, i INT, "
                    + "l BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10, 2), dt DATE, ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), "
                    + "ts0 TIMESTAMP(0), tsoff TIMESTAMP(6), tsspace TIMESTAMP(3)")
            .option("rescuedDataColumn", "_rescued_data");
    Path file =
        Files.write(
            dir,
            "a.json",
            "{\"s\":\"x\",\"b\":true,\"ti\":-8,\"si\":300,\"i\":70000,"
                + "\"l\":9000000000,\"f\":1.5,\"d\":2.25,\"dec\":\"12.345\",\"dt\":\"2024-03-15\","
                + "\"ts\":\"2024-03-15T12:34:56.789Z\",\"ltz\":\"2024-03-15T12:34:56.789Z\",\"ts0\":\"2024-03-15T12:34:56.789Z\","
                + "\"tsoff\":\"2024-03-15T13:34:56.123456+01:00\",\"tsspace\":\"2024-03-15 12:34:56.7\"}\n");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(1);
    RowData row = rows.get(0);
    assertThat(row.getString(0).toString()).isEqualTo("x");
    assertThat(row.getBoolean(1)).isTrue();
    assertThat(row.getByte(2)).isEqualTo((byte) -8);
    assertThat(row.getShort(3)).isEqualTo((short) 300);
    assertThat(row.getInt(4)).isEqualTo(70000);
    assertThat(row.getLong(5)).isEqualTo(9_000_000_000L);
    assertThat(row.getFloat(6)).isEqualTo(1.5f);
    assertThat(row.getDouble(7)).isEqualTo(2.25d);
    assertThat(row.getDecimal(8, 10, 2).toBigDecimal()).isEqualTo(new BigDecimal("12.35"));
    assertThat(row.getInt(9)).isEqualTo((int) LocalDate.of(2024, 3, 15).toEpochDay());
    assertThat(row.getTimestamp(10, 3).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56, 789_000_000));
    assertThat(row.getTimestamp(11, 3).toInstant())
        .isEqualTo(Instant.parse("2024-03-15T12:34:56.789Z"));
    assertThat(row.getTimestamp(12, 0).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56));
    assertThat(row.getTimestamp(13, 6).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56, 123_456_000));
    assertThat(row.getTimestamp(14, 3).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56, 700_000_000));
    assertThat(rescued(row)).isNull();
  }

  @Test
  void timestampsAreCheckedWhateverTheLayout() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("ts TIMESTAMP(9)")
            .option("rescuedDataColumn", "_rescued_data");
    Path file =
        Files.write(
            dir,
            "a.json",
            String.join(
                    "\n",
                    "{\"ts\":\"2024-03-15T12:34:56\"}",
                    "{\"ts\":\"2024-03-15T12:34:56.123456789Z\"}",
                    "{\"ts\":\"2024-03-15\"}",
                    "{\"ts\":\"2024-02-30T00:00:00Z\"}",
                    "{\"ts\":\"2024-03-15T25:00:00Z\"}",
                    "{\"ts\":\"2024-03-15T12:34:56.1234567891Z\"}",
                    "{\"ts\":\"2024-03-15T12:34:5xZ\"}",
                    "{\"ts\":\"2024-03-15T12:34:56-02:30\"}")
                + "\n");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows.get(0).getTimestamp(0, 9).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56));
    assertThat(rows.get(1).getTimestamp(0, 9).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 12, 34, 56, 123_456_789));
    assertThat(rows.get(2).getTimestamp(0, 9).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 0, 0));
    for (int i = 3; i <= 6; i++) {
      assertThat(rows.get(i).isNullAt(0)).as("line %d", i + 1).isTrue();
      assertThat(rescued(rows.get(i))).as("line %d", i + 1).startsWith("{\"ts\":");
    }
    assertThat(rows.get(7).getTimestamp(0, 9).toLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 15, 4, 56));
  }

  @Test
  void jsonNullsMissingFieldsAndBlankLines() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING, b BIGINT, c DOUBLE")
            .option("rescuedDataColumn", "_rescued_data");
    Path file = Files.write(dir, "a.json", "{\"a\":null,\"b\":1}\n\n   \n{}\n");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).isNullAt(0)).isTrue();
    assertThat(rows.get(0).getLong(1)).isEqualTo(1L);
    assertThat(rows.get(0).isNullAt(2)).isTrue();
    assertThat(rescued(rows.get(0))).isNull();
    for (int i = 0; i < 4; i++) {
      assertThat(rows.get(1).isNullAt(i)).isTrue();
    }
  }

  @Test
  void stringColumnsKeepNestedValuesAndNumbersAsJsonText() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("props STRING, tags STRING, amount STRING, ok STRING")
            .option("rescuedDataColumn", "_rescued_data");
    Path file =
        Files.write(
            dir,
            "a.json",
            "{\"props\":{\"k\":[1,2],\"v\":\"w\"},\"tags\":[\"x\",\"y\"],\"amount\":1.50,\"ok\":false}\n");

    RowData row = Files.read(spec, type(spec), file).get(0);

    assertThat(row.getString(0).toString()).isEqualTo("{\"k\":[1,2],\"v\":\"w\"}");
    assertThat(row.getString(1).toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(row.getString(2).toString()).isEqualTo("1.50");
    assertThat(row.getString(3).toString()).isEqualTo("false");
  }

  @Test
  void malformedLineIsRescuedWithItsRawTextFileAndLine() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING, b BIGINT")
            .option("rescuedDataColumn", "_rescued_data");
    Path file =
        Files.write(
            dir,
            "a.json",
            "{\"a\":\"x\",\"b\":1}\n\n{\"a\": \"broken\n[1,2]\n{\"a\":\"y\"} tail\n{\"a\":\"z\"}\n");
    String path = Files.flinkPath(file);

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(5);
    assertThat(rescued(rows.get(0))).isNull();
    assertThat(rows.get(1).isNullAt(0)).isTrue();
    assertThat(rows.get(1).isNullAt(1)).isTrue();
    assertThat(rescued(rows.get(1)))
        .isEqualTo(
            "{\"_corrupt_record\":\"{\\\"a\\\": \\\"broken\",\"_file_path\":\""
                + path
                + "\",\"_line\":3}");
    assertThat(rescued(rows.get(2)))
        .isEqualTo("{\"_corrupt_record\":\"[1,2]\",\"_file_path\":\"" + path + "\",\"_line\":4}");
    assertThat(rescued(rows.get(3)))
        .isEqualTo(
            "{\"_corrupt_record\":\"{\\\"a\\\":\\\"y\\\"} tail\",\"_file_path\":\""
                + path
                + "\",\"_line\":5}");
    assertThat(rows.get(4).getString(0).toString()).isEqualTo("z");
  }

  @Test
  void unknownFieldsTypeMismatchesAndCaseMismatchesAreRescued() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("id STRING, n INT, ok BOOLEAN, ts TIMESTAMP(3)")
            .option("rescuedDataColumn", "_rescued_data");
    Path file =
        Files.write(
            dir,
            "a.json",
            "{\"id\":\"1\",\"n\":\"12\",\"ID\":\"dup\",\"extra\":{\"x\":1},\"ok\":\"yes\",\"ts\":\"not a time\"}\n"
                + "{\"id\":\"2\",\"n\":3000000000}\n");
    String path = Files.flinkPath(file);

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows.get(0).getString(0).toString()).isEqualTo("1");
    assertThat(rows.get(0).isNullAt(1)).isTrue();
    assertThat(rows.get(0).isNullAt(2)).isTrue();
    assertThat(rescued(rows.get(0)))
        .isEqualTo(
            "{\"n\":\"12\",\"ID\":\"dup\",\"extra\":{\"x\":1},\"ok\":\"yes\","
                + "\"ts\":\"not a time\",\"_file_path\":\""
                + path
                + "\"}");
    assertThat(rescued(rows.get(1)))
        .isEqualTo("{\"n\":3000000000,\"_file_path\":\"" + path + "\"}");
  }

  @Test
  void failFastNamesFileAndLine() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data")
            .option("mode", "FAILFAST");
    Path file = Files.write(dir, "a.json", "{\"a\":\"x\"}\n{\"a\":\"y\"}\n{oops}\n");
    String path = Files.flinkPath(file);

    assertThatThrownBy(() -> Files.read(spec, type(spec), file))
        .isInstanceOf(AutoLoaderException.class)
        .hasMessage(
            "Auto Loader source 'test_source': malformed record in file "
                + path
                + " at line 3: "
                + "Unexpected character ('o' (code 111)): was expecting double-quote to start field name. The option "
                + "mode=FAILFAST stops at the first malformed record; fix the file, or use mode=PERMISSIVE to keep such "
                + "records in the _rescued_data column, or mode=DROPMALFORMED to drop them.");
  }

  @Test
  void failFastAlsoStopsAtATypeMismatch() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("n INT")
            .option("rescuedDataColumn", "_rescued_data")
            .option("mode", "FAILFAST");
    Path file = Files.write(dir, "a.json", "{\"n\":\"abc\"}\n");

    assertThatThrownBy(() -> Files.read(spec, type(spec), file))
        .hasMessageContaining("at line 1: column 'n' is INT but the value is \"abc\"");
  }

  @Test
  void withoutRescuedColumnUnknownFieldsAreIgnoredAndWhatCannotBeReadIsNull() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING, n INT")
            .option("rescuedDataColumn", "false");
    Path file =
        Files.write(
            dir,
            "a.json",
            "{\"a\":\"x\",\"n\":1}\n{\"a\":\"y\",\"b\":1,\"A\":2,\"n\":\"abc\"}\n{oops}\n");
    assertThat(type(spec).getFieldNames()).containsExactly("a", "n");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).getString(0).toString()).isEqualTo("x");
    assertThat(rows.get(0).getInt(1)).isEqualTo(1);
    assertThat(rows.get(1).getString(0).toString()).isEqualTo("y");
    assertThat(rows.get(1).isNullAt(1)).isTrue();
    assertThat(rows.get(2).getArity()).isEqualTo(2);
    assertThat(rows.get(2).isNullAt(0) && rows.get(2).isNullAt(1)).isTrue();
  }

  @Test
  void gzipFilesAreReadTransparently() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data");
    Path file = Files.write(dir, "a.json.gz", Files.gzip("{\"a\":\"x\"}\n{\"a\":\"y\"}\n"));

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).extracting(r -> r.getString(0).toString()).containsExactly("x", "y");
  }

  @Test
  void byteOrderMarkIsDroppedForJsonAndCsv() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    AutoLoader json =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data");
    Path jsonFile =
        Files.write(
            dir,
            "a.json",
            concat(bom, "{\"a\":\"x\"}\r\n{\"a\":\"y\"}".getBytes(StandardCharsets.UTF_8)));
    AutoLoader csv =
        AutoLoader.csv(dir.toString())
            .schema("id STRING, v STRING")
            .option("rescuedDataColumn", "_rescued_data")
            .option("header", "true");
    Path csvFile =
        Files.write(dir, "b.csv", concat(bom, "id,v\r\n1,a\r\n".getBytes(StandardCharsets.UTF_8)));

    List<RowData> jsonRows = Files.read(json, type(json), jsonFile);
    List<RowData> csvRows = Files.read(csv, type(csv), csvFile);

    assertThat(jsonRows).extracting(r -> r.getString(0).toString()).containsExactly("x", "y");
    assertThat(jsonRows).allSatisfy(r -> assertThat(rescued(r)).isNull());
    assertThat(csvRows.get(0).getString(0).toString()).isEqualTo("1");
    assertThat(csvRows.get(0).getString(1).toString()).isEqualTo("a");
    assertThat(rescued(csvRows.get(0))).isNull();
  }

  @Test
  void invalidUtf8IsAMalformedRecordNotAFailure() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data");
    byte[] bad =
        concat(
            "{\"a\":\"".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xC3, (byte) 0x28},
            "\"}\n{\"a\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir, "a.json", bad);

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rescued(rows.get(0)))
        .isEqualTo(
            "{\"_corrupt_record\":\"{\\\"a\\\":\\\"\uFFFD(\\\"}\",\"_file_path\":\""
                + Files.flinkPath(file)
                + "\",\"_line\":1}");
    assertThat(rows.get(1).getString(0).toString()).isEqualTo("ok");
  }

  @Test
  void csvWithHeaderDelimiterQuoteAndEscape() throws Exception {
    AutoLoader spec =
        AutoLoader.csv(dir.toString())
            .schema("id INT, name STRING, score DOUBLE")
            .option("rescuedDataColumn", "_rescued_data")
            .option("header", "true")
            .option("delimiter", ";")
            .option("quote", "'")
            .option("escape", "\\");
    Path file =
        Files.write(
            dir, "a.csv", "name;id;score;other\n'Doe; J';1;2.5;x\n'It\\'s';2;;\nA;three;1.0\n");
    String path = Files.flinkPath(file);

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).getInt(0)).isEqualTo(1);
    assertThat(rows.get(0).getString(1).toString()).isEqualTo("Doe; J");
    assertThat(rows.get(0).getDouble(2)).isEqualTo(2.5);
    assertThat(rescued(rows.get(0))).isEqualTo("{\"other\":\"x\",\"_file_path\":\"" + path + "\"}");
    assertThat(rows.get(1).getString(1).toString()).isEqualTo("It's");
    assertThat(rows.get(1).isNullAt(2)).isTrue();
    assertThat(rescued(rows.get(1))).isEqualTo("{\"other\":\"\",\"_file_path\":\"" + path + "\"}");
    assertThat(rows.get(2).isNullAt(0)).isTrue();
    assertThat(rescued(rows.get(2)))
        .isEqualTo("{\"id\":\"three\",\"_file_path\":\"" + path + "\"}");
  }

  @Test
  void csvWithoutHeaderMatchesByPositionAndRescuesExtraFieldsAndMalformedLines() throws Exception {
    AutoLoader spec =
        AutoLoader.csv(dir.toString())
            .schema("a STRING, b BIGINT")
            .option("rescuedDataColumn", "_rescued_data");
    Path file = Files.write(dir, "a.csv", "x,1\ny,2,extra\n\"open,3\n");
    String path = Files.flinkPath(file);

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows.get(0).getString(0).toString()).isEqualTo("x");
    assertThat(rows.get(0).getLong(1)).isEqualTo(1L);
    assertThat(rescued(rows.get(1)))
        .isEqualTo("{\"_c2\":\"extra\",\"_file_path\":\"" + path + "\"}");
    assertThat(rescued(rows.get(2)))
        .isEqualTo(
            "{\"_corrupt_record\":\"\\\"open,3\",\"_file_path\":\"" + path + "\",\"_line\":3}");
  }

  @Test
  void textFilesGiveOneRowPerLine() throws Exception {
    AutoLoader spec = AutoLoader.text(dir.toString());
    Path file = Files.write(dir, "a.txt", "first\n\nthird");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows)
        .extracting(r -> r.getString(0).toString())
        .containsExactly("first", "", "third");
  }

  @Test
  void emptyFileHasNoRows() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data");
    Path file = Files.write(dir, "a.json", "");

    assertThat(Files.read(spec, type(spec), file)).isEmpty();
  }

  @Test
  void deletedFileIsSkippedNotFatal() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING")
            .option("rescuedDataColumn", "_rescued_data");
    Path file = Files.write(dir, "a.json", "{\"a\":\"x\"}\n");
    var split = Files.split(file);
    java.nio.file.Files.delete(file);

    assertThat(
            Files.drain(Files.format(spec, type(spec)).createReader(new Configuration(), split), 10)
                .rows())
        .isEmpty();
  }

  @Test
  void restoredReaderResumesAfterTheCheckpointedRecordWithLineNumbersAndHeaderIntact()
      throws Exception {
    AutoLoader spec =
        AutoLoader.csv(dir.toString())
            .schema("id BIGINT")
            .option("rescuedDataColumn", "_rescued_data")
            .option("header", "true");
    StringBuilder text = new StringBuilder("id\n");
    for (int i = 1; i <= 5000; i++) {
      text.append(i == 4000 ? "\"bad" : String.valueOf(i)).append('\n');
    }
    Path file = Files.write(dir, "big.csv.gz", Files.gzip(text.toString()));
    Configuration small = new Configuration();
    small.set(
        org.apache.flink.connector.file.src.reader.StreamFormat.FETCH_IO_SIZE,
        org.apache.flink.configuration.MemorySize.parse("4kb"));
    RowType type = type(spec);

    Files.Drained first =
        Files.drain(Files.format(spec, type).createReader(small, Files.split(file)), 2500);
    CheckpointedPosition position = first.positions().get(first.rows().size() - 1);
    List<RowData> rest = Files.readFrom(spec, type, file, position);

    assertThat(first.rows().get(2499).getLong(0)).isEqualTo(2500L);
    assertThat(rest).hasSize(2500);
    assertThat(rest.get(0).getLong(0)).isEqualTo(2501L);
    assertThat(rescued(rest.get(1499)))
        .isEqualTo(
            "{\"_corrupt_record\":\"\\\"bad\",\"_file_path\":\""
                + Files.flinkPath(file)
                + "\",\"_line\":4001}");
    assertThat(rest.get(2499).getLong(0)).isEqualTo(5000L);
  }

  @Test
  void aFiftyMegabyteLineIsOneRecord() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("id STRING, blob STRING")
            .option("rescuedDataColumn", "_rescued_data");
    String blob = "b".repeat(50 * 1024 * 1024);
    Path file =
        Files.write(dir, "huge.json", "{\"id\":\"1\",\"blob\":\"" + blob + "\"}\n{\"id\":\"2\"}\n");

    List<RowData> rows = Files.read(spec, type(spec), file);

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getString(1).toString()).hasSize(blob.length());
    assertThat(rescued(rows.get(0))).isNull();
    assertThat(rows.get(1).getString(0).toString()).isEqualTo("2");
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
