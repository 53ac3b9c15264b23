package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.Table;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The deletion vectors Tributary writes are read as Delta means them: by Kernel's own DV reader
 * (bytes, checksum, offsets) and by a Kernel scan of a table whose files carry them.
 */
class DeletionVectorStoreTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;

  @Test
  void kernelsReaderReadsTheBitmapsOfADeletionVectorFile() throws Exception {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path root = DeltaPaths.qualified(dir.toString(), conf);
    RoaringBitmap small = RoaringBitmap.bitmapOf(0, 3, 7);
    RoaringBitmap large = new RoaringBitmap();
    large.add(70_000L, 200_000L); // run and bitmap containers, keys above 16 bits
    large.add(1_000_003);
    DeltaDeletionVector first;
    DeltaDeletionVector second;
    try (DeletionVectorStore.FileWriter writer = new DeletionVectorStore.FileWriter(root, conf)) {
      first = writer.add(small);
      second = writer.add(large);
    }
    assertThat(first.offset()).isEqualTo(1);
    assertThat(second.offset()).isEqualTo(1 + 4 + first.sizeInBytes() + 4);
    assertThat(first.cardinality()).isEqualTo(3);
    assertThat(second.cardinality()).isEqualTo(130_001);
    assertThat(first.pathOrInlineDv()).hasSize(20);
    byte[] file = Files.readAllBytes(Path.of(DeletionVectorStore.path(first, root).toUri()));
    assertThat(file[0]).isEqualTo((byte) 1);
    assertThat(file).hasSize(1 + 4 + first.sizeInBytes() + 4 + 4 + second.sizeInBytes() + 4);

    assertThat(KernelDeletionVectors.read(root.toString(), first)).containsExactly(0L, 3L, 7L);
    long[] expected =
        LongStream.concat(LongStream.range(70_000, 200_000), LongStream.of(1_000_003)).toArray();
    assertThat(KernelDeletionVectors.read(root.toString(), second)).containsExactly(expected);
    // and our own reader agrees
    assertThat(DeletionVectorStore.read(second, root, conf)).isEqualTo(large);
    assertThat(DeletionVectorStore.deserialize(DeletionVectorStore.serialize(small)))
        .isEqualTo(small);
  }

  @Test
  void aKernelScanOfAFileWithADeletionVectorSkipsExactlyItsPositions() throws Exception {
    Configuration conf = new Configuration();
    String table = dir.resolve("t").toString();
    DeltaWriteSpec spec = DeltaWriteSpec.upsert(table, TYPE, "app", List.of("id"));
    DeltaTableCommitter committer = new DeltaTableCommitter(DefaultEngine.create(conf), spec);
    assertThat(committer.usesDeletionVectors()).isTrue();
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(0), TYPE, List.of(), 1 << 20, conf, 0)) {
      for (long id = 0; id < 10; id++) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id, "n" + id)));
      }
      files = writer.closeAll();
    }
    committer.commitChanges(1, List.of(), files);
    DeltaDataFile file = files.get(0);
    DeltaDeletionVector dv;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      dv = writer.add(RoaringBitmap.bitmapOf(0, 4, 9));
    }
    DeltaDataFile withDv =
        new DeltaDataFile(
            file.path(), file.size(), file.modificationTime(), 10, Map.of(), file.statsJson(), dv);
    committer.commitChanges(2, List.of(file), List.of(withDv));

    List<Long> ids = new ArrayList<>();
    for (Row row : DeltaTableReader.readAll(table)) {
      ids.add((Long) row.getField(0));
    }
    assertThat(ids).containsExactlyInAnyOrder(1L, 2L, 3L, 5L, 6L, 7L, 8L);
    Engine engine = DefaultEngine.create(conf);
    var protocol = Table.forPath(engine, table).getLatestSnapshot(engine);
    assertThat(protocol.getTableProperties()).containsEntry("delta.enableDeletionVectors", "true");

    // the log: the file removed with no vector and added again with it, statistics not tight
    String log = Files.readString(dir.resolve("t/_delta_log/00000000000000000001.json"));
    assertThat(log)
        .contains(
            "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\""
                + dv.pathOrInlineDv()
                + "\",\"offset\":1,\"sizeInBytes\":"
                + dv.sizeInBytes()
                + ",\"cardinality\":3}");
    assertThat(log).contains("\\\"numRecords\\\":10").contains("\\\"tightBounds\\\":false");

    // a third commit deletes more of the file: the remove carries the old vector
    DeltaDeletionVector more;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      more = writer.add(RoaringBitmap.bitmapOf(0, 1, 4, 9));
    }
    committer.commitChanges(3, List.of(withDv), List.of(withDv.withDeletionVector(more)));
    String log3 = Files.readString(dir.resolve("t/_delta_log/00000000000000000002.json"));
    assertThat(log3)
        .containsPattern(
            "\"remove\":\\{[^\\n]*\"pathOrInlineDv\":\""
                + java.util.regex.Pattern.quote(dv.pathOrInlineDv())
                + "\"");
    assertThat(DeltaTableReader.readAll(table)).hasSize(6);
  }

  @Test
  void theCommitterUnitesTwoWritersDeletionVectorsOfOneFileInOneEpoch() throws Exception {
    Configuration conf = new Configuration();
    String table = dir.resolve("u").toString();
    DeltaWriteSpec spec = DeltaWriteSpec.upsert(table, TYPE, "app", List.of("id"));
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(0), TYPE, List.of(), 1 << 20, conf, 0)) {
      for (long id = 0; id < 6; id++) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id, "n" + id)));
      }
      files = writer.closeAll();
    }
    new DeltaTableCommitter(DefaultEngine.create(conf), spec).commitChanges(1, List.of(), files);
    DeltaDataFile base = files.get(0);
    DeltaDeletionVector first;
    DeltaDeletionVector second;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      first = writer.add(RoaringBitmap.bitmapOf(1));
      second = writer.add(RoaringBitmap.bitmapOf(4, 5));
    }
    try (var committer =
        new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<>(
            new DeltaCommitterOperator(spec, false, 0))) {
      committer.initializeEmptyState();
      committer.open();
      // as two writers (after a rescale gone wrong) would send them: both from the same base
      committer.processElement(
          new DeltaBucketChange(0, List.of(base), List.of(base.withDeletionVector(first)))
              .toBytes(),
          0);
      committer.processElement(
          new DeltaBucketChange(0, List.of(base), List.of(base.withDeletionVector(second)))
              .toBytes(),
          0);
      committer.snapshot(1, 0);
      committer.notifyOfCompletedCheckpoint(1);
    }
    assertThat(DeltaTableReader.readAll(table))
        .extracting(r -> r.getField(0))
        .containsExactlyInAnyOrder(0L, 2L, 3L);
  }
}
