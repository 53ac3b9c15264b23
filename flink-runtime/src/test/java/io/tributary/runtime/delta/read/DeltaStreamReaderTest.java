package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.dsl.DeltaSource;
import io.tributary.runtime.delta.DeltaAddFile;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.write.BucketKeys;
import io.tributary.runtime.delta.write.DeletionVectorStore;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The Delta stream's reader reads each file from the add action its split carries: one snapshot load
 * per schema, not a scan of every file per version; partition values, deletion vectors and files in
 * sub-folders read as a scan reads them; splits and enumerator states checkpointed before (format 1)
 * are still read.
 */
class DeltaStreamReaderTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  static final RowType WIDER =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("extra", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;

  private static List<DeltaFileSplit> splits(String table, RowType type, Long startingVersion) {
    DeltaSource spec =
        startingVersion == null
            ? DeltaSource.path(table)
            : DeltaSource.path(table).startingVersion(startingVersion);
    DeltaStreamSource source = DeltaStreamSource.triggered(spec, type, "u1", "copy");
    return ((DeltaStreamEnumerator) source.createEnumerator(new MockSplitEnumeratorContext<>(1)))
        .readLog()
        .splits();
  }

  /** Reads {@code splits} with one stream reader; returns the reader's snapshot loads. */
  private static int read(
      List<DeltaFileSplit> splits, RowType type, DeltaSnapshotReaderTest.Output output)
      throws Exception {
    try (DeltaSnapshotReader reader =
        new DeltaSnapshotReader(new DeltaSnapshotReaderTest.Context(), type, true)) {
      reader.start();
      reader.addSplits(splits);
      while (reader.pollNext(output) == InputStatus.MORE_AVAILABLE) {
        // reads every split
      }
      return reader.snapshotLoads();
    }
  }

  @Test
  void aStreamOverManyVersionsLoadsOneSnapshotPerSchemaAndReadsEveryVersionsRows()
      throws Exception {
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    for (long id = 0; id < 12; id++) {
      upstream.append(Row.of(id, "n" + id));
    }
    long widened =
        upstream.withField(
            "{\"name\":\"extra\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}");
    new UpstreamDeltaTable(upstream.path(), WIDER).append(Row.of(12L, "n12", "x"));

    List<DeltaFileSplit> splits = splits(upstream.path(), WIDER, 0L);
    assertThat(splits)
        .extracting(DeltaFileSplit::schemaVersion)
        .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, widened);
    assertThat(splits).allSatisfy(split -> assertThat(split.add().path()).isEqualTo(split.file()));
    DeltaSnapshotReaderTest.Output output = new DeltaSnapshotReaderTest.Output();
    assertThat(read(splits, WIDER, output)).isEqualTo(2);
    List<String> expected = new ArrayList<>();
    for (long id = 0; id < 12; id++) {
      expected.add("+I(" + id + ",n" + id + ",null)");
    }
    expected.add("+I(12,n12,x)");
    assertThat(output.rows).containsExactlyElementsOf(expected);

    // splits checkpointed without their add action (format 1) read by scanning each version, as
    // before
    List<DeltaFileSplit> old =
        splits.stream()
            .map(s -> new DeltaFileSplit(s.tablePath(), s.version(), s.file(), s.recordsToSkip()))
            .toList();
    DeltaSnapshotReaderTest.Output oldOutput = new DeltaSnapshotReaderTest.Output();
    assertThat(read(old, WIDER, oldOutput)).isEqualTo(13);
    assertThat(oldOutput.rows).containsExactlyElementsOf(expected);
  }

  @Test
  void partitionValuesDeletionVectorsAndFilesInSubFoldersReadFromTheAddActionAsAScanReadsThem()
      throws Exception {
    Configuration conf = new Configuration();
    RowType partitioned =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("country", DataTypes.STRING()))
                .getLogicalType();
    String byCountry = dir.resolve("by country").toString();
    List<DeltaDataFile> files =
        DeltaTestSupport.write(
            byCountry, partitioned, List.of("country"), Row.of(1L, "FR"), Row.of(2L, null));
    new DeltaTableCommitter(
            DefaultEngine.create(conf),
            DeltaWriteSpec.append(byCountry, partitioned, "app")
                .withPartitionColumns(List.of("country")))
        .commit(1, files, false);
    List<DeltaFileSplit> splits = splits(byCountry, partitioned, null);
    assertThat(splits)
        .extracting(split -> split.add().partitionValues())
        .containsExactlyInAnyOrder(
            Map.of("country", "FR"), java.util.Collections.singletonMap("country", null));
    DeltaSnapshotReaderTest.Output output = new DeltaSnapshotReaderTest.Output();
    read(splits, partitioned, output);
    assertThat(output.rows).containsExactlyInAnyOrder("+I(1,FR)", "+I(2,null)");

    String keyed = dir.resolve("keyed").toString();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            DefaultEngine.create(conf), DeltaWriteSpec.upsert(keyed, TYPE, "app", List.of("id")));
    files =
        DeltaTestSupport.write(
            keyed + "/" + BucketKeys.directory(0),
            TYPE,
            List.of(),
            Row.of(0L, "n0"),
            Row.of(1L, "n1"),
            Row.of(2L, "n2"),
            Row.of(3L, "n3"),
            Row.of(4L, "n4"));
    committer.commitChanges(1, List.of(), files);
    DeltaDeletionVector dv;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(keyed, conf), conf)) {
      dv = writer.add(RoaringBitmap.bitmapOf(1, 3));
    }
    DeltaDataFile file = files.get(0);
    committer.commitChanges(2, List.of(file), List.of(file.withDeletionVector(dv)));
    splits = splits(keyed, TYPE, null);
    assertThat(splits).extracting(split -> split.add().deletionVector()).containsExactly(dv);
    assertThat(splits.get(0).add().path()).startsWith(BucketKeys.directory(0) + "/");
    output = new DeltaSnapshotReaderTest.Output();
    read(splits, TYPE, output);
    assertThat(output.rows).containsExactly("+I(0,n0)", "+I(2,n2)", "+I(4,n4)");
  }

  @Test
  void splitsAndEnumeratorStatesRoundTripWithTheirAddActionsAndFormatOneIsStillRead()
      throws Exception {
    DeltaAddFile add =
        new DeltaAddFile(
            "country=FR/part-1.parquet",
            123,
            456,
            java.util.Collections.singletonMap("country", null),
            new DeltaDeletionVector("u", "ab", 1, 40, 2));
    DeltaFileSplit split = new DeltaFileSplit("/t", 7, add.path(), 3, 5, add);
    var splits = DeltaFileSplit.Serializer.INSTANCE;
    assertThat(splits.deserialize(splits.getVersion(), splits.serialize(split))).isEqualTo(split);
    var states = DeltaStreamSource.StateSerializer.INSTANCE;
    var state = new DeltaStreamSource.EnumeratorState("u1", 8, List.of(split));
    assertThat(states.deserialize(states.getVersion(), states.serialize(state))).isEqualTo(state);

    DeltaFileSplit old = new DeltaFileSplit("/t", 7, "part-1.parquet", 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) { // a state as format 1 wrote it
      DeltaDataFile.writeString(out, "u1");
      out.writeLong(8);
      out.writeInt(1);
      DeltaFileSplit.Serializer.write(out, old);
    }
    assertThat(states.deserialize(1, bytes.toByteArray()))
        .isEqualTo(new DeltaStreamSource.EnumeratorState("u1", 8, List.of(old)));
    byte[] oldSplit =
        java.util.Arrays.copyOfRange(bytes.toByteArray(), 4 + 2 + 8 + 4, bytes.size());
    assertThat(splits.deserialize(1, oldSplit)).isEqualTo(old);
  }
}
