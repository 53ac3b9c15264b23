package io.tributary.runtime.delta.write;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadAttemptFilesTest {

  private static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).notNull().getLogicalType();

  @TempDir Path dir;

  private final Configuration conf = new Configuration();

  @Test
  void aFilesNameSaysWhichRunOfWhichLineageWroteItAndRandomNamesSayNothing() {
    JobID job = new JobID();
    WriterAttempt run = WriterAttempt.of("shop/orders/orders/0", job);
    UUID id = run.newFileId();
    assertThat(id.version()).isEqualTo(8);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(run.newFileId()).isNotEqualTo(id);
    assertThat(WriterAttempt.ownerOf("part-00003-" + id + "-17.snappy.parquet")).contains(run);
    assertThat(WriterAttempt.ownerOf("deletion_vector_" + id + ".bin")).contains(run);
    assertThat(WriterAttempt.ownerOf("part-00003-" + UUID.randomUUID() + "-0.snappy.parquet"))
        .isEmpty();
    assertThat(WriterAttempt.ownerOf("deletion_vector_" + UUID.randomUUID() + ".bin")).isEmpty();
    assertThat(WriterAttempt.ownerOf("part-00003-" + id + "-0.snappy.parquet.crc")).isEmpty();
    WriterAttempt next = WriterAttempt.of("shop/orders/orders/0", new JobID());
    WriterAttempt otherTable = WriterAttempt.of("shop/customers/customers/0", job);
    assertThat(next.isOtherRunOfTheSameLineage(run)).isTrue();
    assertThat(run.isOtherRunOfTheSameLineage(run)).isFalse();
    assertThat(otherTable.isOtherRunOfTheSameLineage(run)).isFalse();
    assertThat(WriterAttempt.of("shop/orders/orders/0", job)).isEqualTo(run);
  }

  @Test
  void onlyTheUnreferencedFilesOfAnotherRunOfTheLineageOlderThanTheLiveRunAreDeleted()
      throws Exception {
    String table = dir.resolve("t").toString();
    String app = "shop/orders/orders/0";
    WriterAttempt dead = WriterAttempt.of(app, new JobID());
    WriterAttempt live = WriterAttempt.of(app, new JobID());
    DeltaWriteSpec spec = DeltaWriteSpec.append(table, TYPE, app);
    DeltaTableCommitter committer = new DeltaTableCommitter(DefaultEngine.create(conf), spec);
    DeltaDataFile committed = write(table, dead.newFileId(), 1, 2).get(0);
    committer.commit(1, List.of(committed), false);
    DeltaDataFile orphan = write(table, dead.newFileId(), 3).get(0);
    DeltaDataFile restoredPending = write(table, dead.newFileId(), 4).get(0);
    Path deadVector =
        Files.writeString(dir.resolve("t/deletion_vector_" + dead.newFileId() + ".bin"), "x");
    DeltaDataFile oldStyle = write(table, UUID.randomUUID(), 5).get(0);
    DeltaDataFile otherLineage =
        write(table, WriterAttempt.of("shop/once/orders/0", new JobID()).newFileId(), 6).get(0);
    long started = System.currentTimeMillis() + 1;
    Thread.sleep(20);
    DeltaDataFile liveFile = write(table, live.newFileId(), 7).get(0);
    DeltaDataFile young = write(table, dead.newFileId(), 8).get(0);

    DeadAttemptFiles.Result result =
        DeadAttemptFiles.delete(
            table,
            conf,
            live,
            started,
            Set.of(TableFileReferences.key(new org.apache.hadoop.fs.Path(restoredPending.path()))));

    assertThat(result.deleted())
        .containsExactlyInAnyOrder(name(orphan), deadVector.getFileName().toString());
    assertThat(result.bytes()).isEqualTo(orphan.size() + 1);
    assertThat(dataFiles())
        .containsExactlyInAnyOrder(
            name(committed),
            name(restoredPending),
            name(oldStyle),
            name(otherLineage),
            name(liveFile),
            name(young));
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrder(Row.of(1L), Row.of(2L));
    // a second call finds nothing more
    assertThat(DeadAttemptFiles.delete(table, conf, live, started, Set.of()).deleted())
        .containsExactly(name(restoredPending));
  }

  private List<DeltaDataFile> write(String table, UUID fileId, long... ids) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(table, TYPE, List.of(), 1 << 20, conf, 0, fileId)) {
      for (long id : ids) {
        writer.write(internal(TYPE, Row.of(id)));
      }
      return writer.closeAll();
    }
  }

  private static String name(DeltaDataFile file) {
    return new org.apache.hadoop.fs.Path(file.path()).getName();
  }

  private List<String> dataFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("t"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet"))
          .toList();
    }
  }
}
