package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.StaleStateException;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committer's epoch protocol, checkpoint by checkpoint, with Flink's operator test harness: the
 * failure cases Iceberg's Flink sink once got wrong (merged epochs after a failed checkpoint, replay
 * of a committed epoch after a restore, epoch numbers in a new job).
 */
@SuppressWarnings("try") // a harness opened only to restore and commit is still closed
class DeltaCommitterOperatorTest {

  static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  private String table;
  private DeltaWriteSpec spec;

  private byte[] file(long id) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(table, TYPE, List.of(), 1 << 20, new Configuration(), 0)) {
      writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      return writer.closeAll().get(0).toBytes();
    }
  }

  private OneInputStreamOperatorTestHarness<byte[], Void> harness(OperatorSubtaskState state)
      throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(new DeltaCommitterOperator(spec, false, 0));
    if (state == null) {
      harness.initializeEmptyState();
    } else {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  @Test
  void refusesToRunAsMoreThanOneInstanceBeforeItCommitsAnything() throws Exception {
    setUp();
    // what a scheduler rescaling every operator (reactive mode) would do to it
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(
            new DeltaCommitterOperator(spec, false, 0), 128, 2, 0)) {
      assertThatThrownBy(harness::initializeEmptyState)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "The Delta committer of table "
                  + table
                  + " runs as 2 parallel instances, and must"
                  + " run as one");
    }
    assertThat(Files.exists(Path.of(table, "_delta_log"))).as("no table made").isFalse();
  }

  private List<Long> ids() {
    List<Long> ids = new ArrayList<>();
    for (Row row : DeltaTableReader.readAll(table)) {
      ids.add((Long) row.getField(0));
    }
    ids.sort(null);
    return ids;
  }

  private long commits() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("t/_delta_log"))) {
      return files.filter(p -> p.toString().endsWith(".json")).count();
    }
  }

  private void setUp() {
    table = dir.resolve("t").toString();
    spec = DeltaWriteSpec.append(table, TYPE, "pipeline/flow/t/gen-1");
  }

  @Test
  void twoEpochsMergedByAFailedCheckpointCommitEveryFileOnceInOneCommit() throws Exception {
    setUp();
    try (var harness = harness(null)) {
      harness.processElement(file(1), 0);
      harness.snapshot(1, 0);
      harness.processElement(file(2), 0);
      harness.snapshot(2, 0);
      // checkpoint 1 never completes; 2 does
      harness.notifyOfCompletedCheckpoint(2);
      assertThat(ids()).containsExactly(1L, 2L);
      assertThat(commits()).isEqualTo(2); // table creation + one commit for both epochs
      assertThat(
              new DeltaTableCommitter(DeltaTableReader.engine(), spec).latestTransactionVersion())
          .hasValue(2);
      harness.notifyOfCompletedCheckpoint(1); // late notification: nothing left to commit
      assertThat(commits()).isEqualTo(2);
    }
  }

  @Test
  void anEpochCommittedBeforeACrashIsNotCommittedAgainAfterRestore() throws Exception {
    setUp();
    OperatorSubtaskState state;
    try (var harness = harness(null)) {
      harness.processElement(file(1), 0);
      state = harness.snapshot(1, 0);
      harness.notifyOfCompletedCheckpoint(1);
    }
    assertThat(ids()).containsExactly(1L);
    long before = commits();
    try (var restored = harness(state)) { // the restored pending epoch 1 is recognised as committed
      assertThat(commits()).isEqualTo(before);
      restored.processElement(file(2), 0);
      restored.snapshot(2, 0);
      restored.notifyOfCompletedCheckpoint(2);
    }
    assertThat(ids()).containsExactly(1L, 2L);
    assertThat(new DeltaTableCommitter(DeltaTableReader.engine(), spec).latestTransactionVersion())
        .hasValue(2);
  }

  @Test
  void restoredEpochsPartlyCommittedAreCommittedOnlyForTheirNewPart() throws Exception {
    setUp();
    OperatorSubtaskState state;
    try (var harness = harness(null)) {
      harness.processElement(file(1), 0);
      harness.snapshot(1, 0);
      harness.processElement(file(2), 0);
      state = harness.snapshot(2, 0); // holds epochs 1 and 2
      harness.notifyOfCompletedCheckpoint(1); // commits epoch 1, then the job crashes
    }
    assertThat(ids()).containsExactly(1L);
    try (var restored = harness(state)) {
      assertThat(ids()).containsExactly(1L, 2L);
    }
  }

  @Test
  void stateOlderThanTheTableIsRefusedRatherThanWritingItsInputAgain() throws Exception {
    setUp();
    OperatorSubtaskState old;
    try (var harness = harness(null)) {
      harness.processElement(file(1), 0);
      old = harness.snapshot(1, 0);
      harness.notifyOfCompletedCheckpoint(1);
      harness.processElement(file(2), 0);
      harness.snapshot(2, 0);
      harness.notifyOfCompletedCheckpoint(
          2); // the table has epoch 2, checkpoint 1's state does not know it
    }

    assertThatThrownBy(() -> harness(old))
        .isInstanceOf(StaleStateException.class)
        .hasMessage(
            "Table '"
                + table
                + "' has epoch 2 of transaction pipeline/flow/t/gen-1, but the state this job"
                + " restored knows epochs up to 1 only: it is older than the table (restored from an older checkpoint or"
                + " savepoint than the last one), and continuing would read again input the table already holds."
                + " Restore the newest checkpoint or savepoint of the job, or do a full refresh of the table.");
    assertThat(ids()).containsExactly(1L, 2L);
  }

  @Test
  void anEpochWhoseNotificationWasLostIsCommittedOnRestore() throws Exception {
    setUp();
    OperatorSubtaskState state;
    try (var harness = harness(null)) {
      harness.processElement(file(1), 0);
      state = harness.snapshot(1, 0);
      // crash before notifyCheckpointComplete(1)
    }
    assertThat(ids()).isEmpty();
    try (var restored = harness(state)) {
      assertThat(ids()).containsExactly(1L);
    }
  }

  @Test
  void aNewJobWithoutStateContinuesAfterTheTablesLastEpoch() throws Exception {
    setUp();
    try (var first = harness(null)) {
      first.processElement(file(1), 0);
      first.snapshot(5, 0); // checkpoint ids are not epochs
      first.notifyOfCompletedCheckpoint(5);
    }
    try (var second = harness(null)) { // new job, checkpoint ids restart at 1
      second.processElement(file(2), 0);
      second.snapshot(1, 0);
      second.notifyOfCompletedCheckpoint(1);
    }
    assertThat(ids()).containsExactly(1L, 2L);
    assertThat(new DeltaTableCommitter(DeltaTableReader.engine(), spec).latestTransactionVersion())
        .hasValue(2);
  }

  @Test
  void anEmptyEpochMakesNoCommit() throws Exception {
    setUp();
    try (var harness = harness(null)) {
      harness.snapshot(1, 0);
      harness.notifyOfCompletedCheckpoint(1);
      assertThat(commits()).isEqualTo(1); // only the table's creation
      assertThat(DeltaTableReader.schema(table)).contains((RowType) TYPE.copy(false));
    }
  }

  /** A data file of bucket 0 holding {@code ids}. */
  private DeltaDataFile bucketFile(long... ids) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(0),
            TYPE,
            List.of(),
            1 << 20,
            new Configuration(),
            0)) {
      for (long id : ids) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      }
      return writer.closeAll().get(0);
    }
  }

  /** {@code file} with a deletion vector deleting the rows at {@code positions}. */
  private DeltaDataFile withVector(DeltaDataFile file, int... positions) throws Exception {
    Configuration conf = new Configuration();
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      DeltaDeletionVector dv = writer.add(org.roaringbitmap.RoaringBitmap.bitmapOf(positions));
      writer.close();
      return file.withDeletionVector(dv);
    }
  }

  @Test
  void twoVectorChangesOfOneFileInAnEpochAreUnitedAndARewriteBesideOneIsRefused() throws Exception {
    table = dir.resolve("t").toString();
    spec = DeltaWriteSpec.upsert(table, TYPE, "pipeline/flow/t/gen-1", List.of("id"));
    DeltaDataFile file = bucketFile(1, 2, 3, 4);
    new DeltaTableCommitter(DeltaTableReader.engine(), spec)
        .commitChanges(1, List.of(), List.of(file));
    try (var harness = harness(null)) {
      // two changes of the same file from the same base, each deleting one row by a vector
      harness.processElement(
          new DeltaBucketChange(0, List.of(file), List.of(withVector(file, 0))).toBytes(), 0);
      harness.processElement(
          new DeltaBucketChange(0, List.of(file), List.of(withVector(file, 2))).toBytes(), 0);
      harness.snapshot(1, 0);
      harness.notifyOfCompletedCheckpoint(1);
      assertThat(ids()).containsExactly(2L, 4L);
      DeltaDataFile united =
          new KernelSnapshotScan(DeltaTableReader.engine(), table, -1, TYPE).dataFiles().get(0);
      assertThat(united.deletionVector().cardinality()).isEqualTo(2);

      // one change deletes a row by a vector, the other rewrote the file: nothing can unite them
      harness.processElement(
          new DeltaBucketChange(0, List.of(united), List.of(withVector(united, 0, 1, 2))).toBytes(),
          0);
      assertThatThrownBy(
              () ->
                  harness.processElement(
                      new DeltaBucketChange(0, List.of(united), List.of(bucketFile(4))).toBytes(),
                      0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Table '"
                  + table
                  + "': two writers changed data file "
                  + file.path()
                  + " in the same"
                  + " epoch (bucket 0), and one rewrote it, so their changes cannot be united; each bucket must"
                  + " have one writer");
    }
    assertThat(ids()).containsExactly(2L, 4L);
  }
}
