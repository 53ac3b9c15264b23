package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderMetadataColumnsTest {

  @TempDir Path dir;

  @Test
  void includeMetadataAppendsTheFilesPathModificationTimeAndSize() throws Exception {
    Path file = Files.write(dir, "in/a.json", "{\"a\":\"1\",\"_metadata_file_path\":\"spoof\"}\n");
    file.toFile().setLastModified(1_714_557_600_000L);
    AutoLoader spec =
        AutoLoader.json(dir.resolve("in").toString()).option("includeMetadata", "true");

    RowType type =
        AutoLoaderSchemas.resolve(
            spec, dir.resolve("schema").toString(), new org.apache.hadoop.conf.Configuration());
    assertThat(type.asSummaryString())
        .isEqualTo(
            "ROW<`a` STRING, `_rescued_data` STRING, `_metadata_file_path` STRING, "
                + "`_metadata_file_modification_time` TIMESTAMP_LTZ(3), `_metadata_file_size` BIGINT>");

    var split =
        new org.apache.flink.connector.file.src.FileSourceSplit(
            "s",
            new org.apache.flink.core.fs.Path(file.toUri()),
            0,
            java.nio.file.Files.size(file),
            1_714_557_600_000L,
            java.nio.file.Files.size(file));
    List<RowData> rows =
        Files.drain(
                Files.format(spec, type)
                    .createReader(new org.apache.flink.configuration.Configuration(), split),
                Integer.MAX_VALUE)
            .rows();

    RowData row = rows.get(0);
    assertThat(row.getArity()).isEqualTo(5);
    assertThat(row.getString(0).toString()).isEqualTo("1");
    assertThat(row.getString(1).toString()).contains("\"_metadata_file_path\":\"spoof\"");
    assertThat(row.getString(2).toString()).isEqualTo(Files.flinkPath(file));
    assertThat(row.getTimestamp(3, 3).getMillisecond()).isEqualTo(1_714_557_600_000L);
    assertThat(row.getLong(4)).isEqualTo(java.nio.file.Files.size(file));
  }

  @Test
  void withoutTheOptionThereAreNoMetadataColumns() {
    Files.write(dir, "in/a.json", "{\"a\":\"1\"}\n");
    RowType type =
        AutoLoaderSchemas.resolve(
            AutoLoader.json(dir.resolve("in").toString()),
            dir.resolve("s").toString(),
            new org.apache.hadoop.conf.Configuration());
    assertThat(type.getFieldNames()).containsExactly("a", "_rescued_data");
  }
}
