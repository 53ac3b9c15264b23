package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTestSupport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
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

  @Test
  void aColumnWhoseDictionaryAFileGaveUpIsWrittenPlainlyInTheNextFilesAndOthersKeepTheirs()
      throws Exception {
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("event_id", DataTypes.STRING()),
                    DataTypes.FIELD("kind", DataTypes.STRING()),
                    DataTypes.FIELD("note", DataTypes.STRING()))
                .getLogicalType();
    List<DeltaDataFile> first;
    List<DeltaDataFile> second;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(dir.toString(), type, List.of(), 1L << 30, new Configuration(), 0)) {
      assertThat(writer.plainEncodedColumns()).isEmpty();
      writeEvents(writer, type, 0, 50_000);
      first = writer.closeAll();
      // every event_id differs; kind has three values; note differs too, but is set in only 500
      // rows of a file: too few to say what the column is
      assertThat(encodings(first.get(0)).get("note").hasDictionaryPages()).isFalse();
      assertThat(writer.plainEncodedColumns()).containsExactly("event_id");
      writeEvents(writer, type, 50_000, 50_000);
      second = writer.closeAll();
    }
    assertThat(first).extracting(DeltaDataFile::numRecords).containsExactly(50_000L);
    assertThat(second).extracting(DeltaDataFile::numRecords).containsExactly(50_000L);
    Map<String, EncodingStats> encodings = encodings(second.get(0));
    assertThat(encodings.get("event_id").hasDictionaryPages()).isFalse();
    assertThat(encodings.get("kind").hasDictionaryPages()).isTrue();
    assertThat(second.get(0).statsJson())
        .contains("\"minValues\":{\"event_id\":\"evt-0050000\"")
        .contains("\"maxValues\":{\"event_id\":\"evt-0099999\"");
  }

  private static void writeEvents(DeltaFileWriter writer, RowType type, int from, int count)
      throws Exception {
    for (int i = from; i < from + count; i++) {
      String note = i % 100 == 0 ? "note " + i : null;
      writer.write(
          DeltaTestSupport.internal(
              type, Row.of(String.format("evt-%07d", i), "kind-" + (i % 3), note)));
    }
  }

  private static Map<String, EncodingStats> encodings(DeltaDataFile file) throws Exception {
    Map<String, EncodingStats> result = new HashMap<>();
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.path()), new Configuration()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          result.put(chunk.getPath().toDotString(), chunk.getEncodingStats());
        }
      }
    }
    return result;
  }
}
