package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.write.BucketKeys;
import io.tributary.runtime.delta.write.DeletionVectorStore;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The row count the CLI shows is the table's, read from the log's statistics (a footer where the log
 * has none) and deletion vectors, never from data.
 */
class DeltaTableSummaryTest {

  private static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  private final Configuration conf = new Configuration();

  /** The table each test writes, under {@link #dir}. */
  private String table;

  @BeforeEach
  void tablePath() {
    table = dir.resolve("t").toString();
  }

  @Test
  void noTableHasNoSummary() {
    assertThat(DeltaTableSummary.of(dir.resolve("none").toString())).isEmpty();
  }

  @Test
  void rowsOfTheLatestSnapshotLessThoseItsDeletionVectorsDelete() throws Exception {
    DeltaTableCommitter committer = committer();
    List<DeltaDataFile> files = fourRows();
    committer.commitChanges(1, List.of(), files);

    assertThat(DeltaTableSummary.of(table)).hasValue(new DeltaTableSummary(0, 4));

    DeltaDeletionVector twoDeleted;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      twoDeleted = writer.add(org.roaringbitmap.RoaringBitmap.bitmapOf(0, 3));
    }
    DeltaDataFile file = files.get(0);
    committer.commitChanges(
        2,
        List.of(file),
        List.of(
            new DeltaDataFile(
                file.path(),
                file.size(),
                file.modificationTime(),
                4,
                Map.of(),
                file.statsJson(),
                twoDeleted)));

    assertThat(DeltaTableSummary.of(table)).hasValue(new DeltaTableSummary(1, 2));
    assertThat(DeltaTableReader.readAll(table)).hasSize(2);
  }

  @Test
  void countsFromTheLogOpenNoDataFile() throws Exception {
    List<DeltaDataFile> files = fourRows();
    committer().commitChanges(1, List.of(), files);
    java.nio.file.Files.delete(Path.of(java.net.URI.create(files.get(0).path())));

    assertThat(DeltaTableSummary.of(table)).hasValue(new DeltaTableSummary(0, 4));
  }

  @Test
  void aFileAddedWithoutStatisticsIsCountedFromItsFooter() throws Exception {
    DeltaDataFile file = fourRows().get(0);
    committer()
        .commitChanges(
            1,
            List.of(),
            List.of(
                new DeltaDataFile(
                    file.path(), file.size(), file.modificationTime(), -1, Map.of(), "{}")));

    assertThat(DeltaTableSummary.of(table)).hasValue(new DeltaTableSummary(0, 4));
  }

  @Test
  void aFileWhoseStatisticsDoNotParseIsCountedFromItsFooter() throws Exception {
    DeltaDataFile file = fourRows().get(0);
    committer().commitChanges(1, List.of(), List.of(file));
    // version 1, as another writer could leave it: the same file added again, its stats unreadable
    String name = file.path().substring(file.path().indexOf("/t/") + 3);
    java.nio.file.Files.writeString(
        dir.resolve("t/_delta_log/00000000000000000001.json"),
        "{\"add\":{\"path\":\""
            + name
            + "\",\"partitionValues\":{},\"size\":"
            + file.size()
            + ",\"modificationTime\":1,\"dataChange\":false,\"stats\":\"{numRecords:\"}}\n");

    assertThat(DeltaTableSummary.of(table)).hasValue(new DeltaTableSummary(1, 4));
  }

  private DeltaTableCommitter committer() {
    return new DeltaTableCommitter(
        DefaultEngine.create(conf), DeltaWriteSpec.upsert(table, TYPE, "app", List.of("id")));
  }

  private List<DeltaDataFile> fourRows() throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(1), TYPE, List.of(), 1 << 20, conf, 0)) {
      for (long id = 0; id < 4; id++) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      }
      return writer.closeAll();
    }
  }
}
