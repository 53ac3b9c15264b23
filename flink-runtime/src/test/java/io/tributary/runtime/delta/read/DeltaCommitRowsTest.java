package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaLogDirectory;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.write.BucketKeys;
import io.tributary.runtime.delta.write.DeletionVectorStore;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows each commit added and deleted, as the crash suite's check and a restarted committer's
 * events read them: a remove counts the rows of the file an earlier commit added, whatever order the
 * file system lists the log in.
 */
class DeltaCommitRowsTest {

  private static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  /**
   * The local disk listing a folder newest first. The real one lists in the order of its directory
   * entries, which is not by name (the crash suite's clean run had a keyed table's version 5 listed
   * before version 4, so version 5's removes counted no rows: 171 rows instead of -3).
   */
  public static final class NewestFirstFileSystem extends RawLocalFileSystem {
    @Override
    public FileStatus[] listStatus(org.apache.hadoop.fs.Path f) throws IOException {
      List<FileStatus> listed = new ArrayList<>(List.of(super.listStatus(f)));
      listed.sort((a, b) -> b.getPath().getName().compareTo(a.getPath().getName()));
      return listed.toArray(new FileStatus[0]);
    }
  }

  private static Configuration newestFirst() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", NewestFirstFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  @Test
  void aKeyedTablesRewritesDeleteTheRowsOfTheFilesEarlierCommitsAddedWhateverTheListingOrder()
      throws Exception {
    Configuration conf = new Configuration();
    String table = dir.resolve("t").toString();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.upsert(table, TYPE, "app", List.of("id")));
    List<DeltaDataFile> first = write(table, conf, 0, 1, 2, 3);
    committer.commitChanges(1, List.of(), first); // version 0: the table with 4 rows
    List<DeltaDataFile> second = write(table, conf, 0, 1, 2);
    committer.commitChanges(2, first, second); // version 1: copy-on-write, 4 rows out, 3 in
    DeltaDataFile file = second.get(0);
    DeltaDeletionVector oneDeleted;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      oneDeleted = writer.add(org.roaringbitmap.RoaringBitmap.bitmapOf(1));
    }
    committer.commitChanges(
        3,
        List.of(file),
        List.of(
            new DeltaDataFile(
                file.path(),
                file.size(),
                file.modificationTime(),
                3,
                Map.of(),
                file.statsJson(),
                oneDeleted))); // version 2: a row deleted

    List<String> expected = List.of("0: +4 -0", "1: +3 -4", "2: +2 -3");
    assertThat(rows(DeltaCommitRows.read(table, conf))).isEqualTo(expected);
    assertThat(rows(DeltaCommitRows.read(table, newestFirst()))).isEqualTo(expected);
    assertThat(DeltaLogDirectory.list(DeltaPaths.qualified(table, conf), newestFirst()).commits())
        .extracting(DeltaLogDirectory::version)
        .containsExactly(0L, 1L, 2L);
  }

  private static List<DeltaDataFile> write(String table, Configuration conf, long... ids)
      throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(1), TYPE, List.of(), 1 << 20, conf, 0)) {
      for (long id : ids) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      }
      return writer.closeAll();
    }
  }

  private static List<String> rows(List<DeltaCommitRows.Commit> commits) {
    List<String> rows = new ArrayList<>();
    for (DeltaCommitRows.Commit commit : commits) {
      rows.add(commit.version() + ": +" + commit.addedRows() + " -" + commit.deletedRows());
    }
    return Collections.unmodifiableList(rows);
  }
}
