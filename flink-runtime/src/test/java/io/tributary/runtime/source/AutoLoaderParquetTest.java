package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.formats.parquet.row.ParquetRowDataBuilder;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderParquetTest {

  @TempDir Path dir;

  private static final RowType WRITTEN =
      (RowType)
          SchemaDdl.parse(
              "/w",
              "event_id STRING, amount DECIMAL(10, 2), qty INT, big BIGINT, ok BOOLEAN, ts TIMESTAMP(3), score DOUBLE");

  @Test
  void theSchemaIsInferredFromTheFooterWithItsTypesAndStoredAndRowsAreRead() throws Exception {
    Path file =
        write(
            "in/a.parquet",
            WRITTEN,
            GenericRowData.of(
                StringData.fromString("e1"),
                DecimalData.fromUnscaledLong(1250, 10, 2),
                3,
                7_000_000_000L,
                true,
                TimestampData.fromLocalDateTime(LocalDateTime.parse("2024-05-01T10:15:30.123")),
                0.5));
    AutoLoader spec = AutoLoader.parquet(dir.resolve("in").toString());

    RowType type =
        AutoLoaderSchemas.resolve(
            spec, dir.resolve("schema").toString(), new org.apache.hadoop.conf.Configuration());

    assertThat(type.asSummaryString())
        .isEqualTo(
            "ROW<`event_id` STRING, `amount` DECIMAL(10, 2), `qty` INT, "
                + "`big` BIGINT, `ok` BOOLEAN, `ts` TIMESTAMP(6), `score` DOUBLE, `_rescued_data` STRING>");
    assertThat(dir.resolve("schema").resolve(AutoLoaderSchemas.SCHEMA_FILE)).exists();
    assertThat(read(spec, type, file))
        .containsExactly("e1|12.50|3|7000000000|true|2024-05-01T10:15:30.123|0.5|null");
  }

  @Test
  void aDeclaredSchemaReadsByNameAndAColumnMissingFromAFileIsNull() throws Exception {
    RowType older = (RowType) SchemaDdl.parse("/w", "event_id STRING, qty INT");
    Path file = write("in/old.parquet", older, GenericRowData.of(StringData.fromString("e0"), 9));
    AutoLoader spec =
        AutoLoader.parquet(dir.resolve("in").toString())
            .schema("qty INT, event_id STRING, note STRING");
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());

    assertThat(read(spec, type, file)).containsExactly("9|e0|null");
  }

  private Path write(String name, RowType type, RowData... rows) throws Exception {
    Path file = dir.resolve(name);
    java.nio.file.Files.createDirectories(file.getParent());
    BulkWriter.Factory<RowData> factory =
        ParquetRowDataBuilder.createWriterFactory(
            type, new org.apache.hadoop.conf.Configuration(), true);
    try (FSDataOutputStream out =
        FileSystem.getLocalFileSystem()
            .create(
                new org.apache.flink.core.fs.Path(file.toUri()), FileSystem.WriteMode.OVERWRITE)) {
      BulkWriter<RowData> writer = factory.create(out);
      for (RowData row : rows) {
        writer.addElement(row);
      }
      writer.finish();
    }
    return file;
  }

  /** Rows as {@code a|b|c} text, taken before each batch is released (Parquet batches are reused). */
  private static List<String> read(AutoLoader spec, RowType type, Path file) throws Exception {
    List<String> rows = new ArrayList<>();
    List<RowData.FieldGetter> getters = new ArrayList<>();
    for (int i = 0; i < type.getFieldCount(); i++) {
      getters.add(RowData.createFieldGetter(type.getTypeAt(i), i));
    }
    try (BulkFormat.Reader<RowData> reader =
        Files.format(spec, type).createReader(new Configuration(), Files.split(file))) {
      BulkFormat.RecordIterator<RowData> batch;
      while ((batch = reader.readBatch()) != null) {
        RecordAndPosition<RowData> record;
        while ((record = batch.next()) != null) {
          List<String> values = new ArrayList<>();
          for (RowData.FieldGetter getter : getters) {
            values.add(String.valueOf(getter.getFieldOrNull(record.getRecord())));
          }
          rows.add(String.join("|", values));
        }
        batch.releaseBatch();
      }
    }
    return rows;
  }
}
