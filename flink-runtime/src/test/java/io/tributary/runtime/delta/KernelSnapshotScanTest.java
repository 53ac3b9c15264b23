package io.tributary.runtime.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSnapshotScanTest {

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())))
              .getLogicalType();

  @TempDir Path dir;

  @Test
  void stringsAreReadAsTheirUtf8BytesWithoutBeingDecoded() throws Exception {
    UpstreamDeltaTable table = new UpstreamDeltaTable(dir.resolve("t").toString(), TYPE);
    table.append(
        Row.of(1L, "Zürich 東京 🚀", new String[] {"ä", ""}),
        Row.of(2L, "", new String[] {}),
        Row.of(3L, null, null));

    List<RowData> rows = new ArrayList<>();
    KernelSnapshotScan scan =
        new KernelSnapshotScan(DeltaTableReader.engine(), table.path(), -1, TYPE);
    for (String file : scan.files()) {
      try (CloseableIterator<RowData> read = scan.read(file)) {
        read.forEachRemaining(rows::add);
      }
    }

    assertThat(rows).extracting(row -> row.getLong(0)).containsExactly(1L, 2L, 3L);
    // a top-level string comes as the file's bytes: no Java string was made of it (until toString)
    assertThat(((BinaryStringData) rows.get(0).getString(1)).getJavaObject()).isNull();
    assertThat(rows.get(0).getString(1).toString()).isEqualTo("Zürich 東京 🚀");
    assertThat(rows.get(1).getString(1).toString()).isEmpty();
    assertThat(rows.get(2).isNullAt(1)).isTrue();
    assertThat(rows.get(0).getArray(2).getString(0).toString()).isEqualTo("ä");
    assertThat(rows.get(0).getArray(2).getString(1).toString()).isEmpty();
    assertThat(rows.get(2).isNullAt(2)).isTrue();
  }

  @Test
  void aTableThatMapsItsColumnsIsReadByTheirLogicalNames() throws Exception {
    RowType written =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("name", DataTypes.STRING()))
                .getLogicalType();
    UpstreamDeltaTable table = new UpstreamDeltaTable(dir.resolve("mapped").toString(), written);
    table.append(Row.of(1L, "Zürich"), Row.of(2L, null));
    // what Spark's ALTER TABLE ... SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name') and then
    // RENAME COLUMN name TO city leave: the file's column keeps its physical name
    mapColumnsRenaming(Path.of(table.path()), "name", "city");
    RowType read =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("city", DataTypes.STRING()))
                .getLogicalType();

    List<RowData> rows = new ArrayList<>();
    KernelSnapshotScan scan =
        new KernelSnapshotScan(DeltaTableReader.engine(), table.path(), -1, read);
    for (String file : scan.files()) {
      try (CloseableIterator<RowData> batch = scan.read(file)) {
        batch.forEachRemaining(rows::add);
      }
    }

    assertThat(scan.version()).isEqualTo(1);
    assertThat(rows).extracting(row -> row.getLong(0)).containsExactly(1L, 2L);
    assertThat(rows.get(0).getString(1).toString()).isEqualTo("Zürich");
    assertThat(rows.get(1).isNullAt(1)).isTrue();
  }

  /** Commits protocol (2, 5) and the metadata of column mapping mode {@code name}, {@code from} renamed. */
  private static void mapColumnsRenaming(Path table, String from, String to) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode metadata = null;
    for (String line : Files.readAllLines(table.resolve("_delta_log/00000000000000000000.json"))) {
      if (line.startsWith("{\"metaData\"")) {
        metadata = (ObjectNode) json.readTree(line);
      }
    }
    ObjectNode action = (ObjectNode) metadata.get("metaData");
    ObjectNode schema = (ObjectNode) json.readTree(action.get("schemaString").asText());
    int id = 0;
    for (var field : schema.get("fields")) {
      ObjectNode column = (ObjectNode) field;
      String physical = column.get("name").asText();
      ((ObjectNode) column.get("metadata"))
          .put("delta.columnMapping.id", ++id)
          .put("delta.columnMapping.physicalName", physical);
      if (physical.equals(from)) {
        column.put("name", to);
      }
    }
    action.put("schemaString", json.writeValueAsString(schema));
    ((ObjectNode) action.get("configuration"))
        .put("delta.columnMapping.mode", "name")
        .put("delta.columnMapping.maxColumnId", String.valueOf(id));
    Files.writeString(
        table.resolve("_delta_log/00000000000000000001.json"),
        "{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}\n"
            + json.writeValueAsString(metadata)
            + "\n");
  }
}
