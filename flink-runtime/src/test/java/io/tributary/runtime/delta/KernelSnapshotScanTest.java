package io.tributary.runtime.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.read.DeltaTableReader;
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
}
