package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTestSupport;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaFileWriterTest {

  @TempDir Path dir;

  @Test
  void filesRollAtTheTargetSizeAndEachCarriesItsOwnStatistics() throws Exception {
    RowType type = (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.INT())).getLogicalType();
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(dir.toString(), type, List.of(), 1, new Configuration(), 3)) {
      for (int id = 0; id < 300; id++) {
        writer.write(DeltaTestSupport.internal(type, Row.of(id)));
      }
      files = writer.closeAll();
      assertThat(writer.closeAll()).isEmpty();
    }
    assertThat(files).extracting(DeltaDataFile::numRecords).containsExactly(128L, 128L, 44L);
    assertThat(files.get(1).statsJson())
        .isEqualTo(
            "{\"numRecords\":128,\"minValues\":{\"id\":128},\"maxValues\":{\"id\":255},"
                + "\"nullCount\":{\"id\":0}}");
    assertThat(files).allSatisfy(f -> assertThat(f.path()).contains("/part-00003-"));
    assertThat(DeltaDataFile.fromBytes(files.get(2).toBytes())).isEqualTo(files.get(2));
  }
}
