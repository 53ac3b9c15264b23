package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits of bucket rewrites against concurrent writers: no Kernel retry; a race lost to a commit in
 * other buckets is committed again, one lost to a commit that touched this commit's buckets fails
 * with a clear error, and the table stays readable either way. A data file with a new deletion vector
 * is another logical file: two commits that change the vector of the same file, or of files of one
 * bucket, conflict as two rewrites do.
 */
class DeltaUpsertCommitTest {

  static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  private String table;
  private DeltaWriteSpec spec;

  @BeforeEach
  void setUp() {
    table = dir.resolve("t").toString();
    spec =
        DeltaWriteSpec.upsert(table, TYPE, "pipeline/flow/t/gen-1", List.of("id"))
            .withProperties(Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "4"));
  }

  private DeltaTableCommitter committer(String appId) {
    DeltaWriteSpec s =
        new DeltaWriteSpec(
            table,
            TYPE,
            DeltaWriteSpec.WriteMode.UPSERT,
            appId,
            1,
            List.of(),
            spec.comment(),
            spec.properties(),
            spec.keyColumns());
    return new DeltaTableCommitter(DefaultEngine.create(new Configuration()), s);
  }

  /** A data file in a bucket directory holding {@code ids} (buckets are not checked here). */
  private DeltaDataFile file(int bucket, long... ids) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(bucket),
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

  /** {@code file} deleting its rows at {@code positions} by a deletion vector, in a new vector file. */
  private DeltaDataFile withVector(DeltaDataFile file, int... positions) throws Exception {
    Configuration conf = new Configuration();
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      DeltaDeletionVector dv = writer.add(org.roaringbitmap.RoaringBitmap.bitmapOf(positions));
      writer.close();
      return file.withDeletionVector(dv);
    }
  }

  private String concurrentRewrite(String transaction, List<String> files) {
    return "Table '"
        + table
        + "': the upsert commit of transaction "
        + transaction
        + " rewrites files that a"
        + " concurrent commit removed or rewrote ("
        + files
        + "). Another job (or a restore from an older"
        + " savepoint) is writing the same keys of this table. Run one writer per keyed table, then restart"
        + " this flow from its latest checkpoint, or do a full refresh of the table.";
  }

  private List<Long> ids() {
    return DeltaTableReader.readAll(table).stream()
        .map(r -> (Long) r.getField(0))
        .sorted()
        .toList();
  }

  @Test
  void aRaceLostToACommitInOtherBucketsIsCommittedAgain() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    DeltaDataFile a1 = file(1, 2);
    ours.commitChanges(1, List.of(), List.of(a0, a1));
    DeltaDataFile b2 = file(2, 3);
    DeltaDataFile a0v2 = file(0, 1, 4);
    AtomicInteger attempts = new AtomicInteger();
    ours.beforeChangeCommit(
        () -> {
          if (attempts.incrementAndGet() == 1) {
            committer("theirs").commitChanges(1, List.of(), List.of(b2));
          }
        });
    long before = DeltaTableReader.version(table);
    OptionalLong version = ours.commitChanges(2, List.of(a0), List.of(a0v2));
    assertThat(attempts).hasValue(2);
    assertThat(version).hasValue(before + 2);
    assertThat(ids()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ours.latestTransactionVersion()).hasValue(2);
  }

  @Test
  void aRaceLostToACommitThatRewroteTheSameBucketFailsClearly() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    ours.commitChanges(1, List.of(), List.of(a0));
    DeltaDataFile theirs = file(0, 1, 9);
    ours.beforeChangeCommit(
        () -> committer("theirs").commitChanges(1, List.of(a0), List.of(theirs)));
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(file(0, 1, 4))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '"
                + table
                + "': the upsert commit of transaction ours/2 rewrites files that a"
                + " concurrent commit removed or rewrote (["
                + a0.path()
                + ", "
                + theirs.path()
                + "]). Another"
                + " job (or a restore from an older savepoint) is writing the same keys of this table. Run one"
                + " writer per keyed table, then restart this flow from its latest checkpoint, or do a full"
                + " refresh of the table.");
    assertThat(ids()).containsExactly(1L, 9L); // readable, with the winner's content
  }

  @Test
  void aRaceLostToAnAppendInTheSameBucketFails() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    ours.commitChanges(1, List.of(), List.of(a0));
    DeltaDataFile appended = file(0, 5);
    ours.beforeChangeCommit(
        () -> committer("theirs").commitChanges(1, List.of(), List.of(appended)));
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(file(0, 1, 4))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessageContaining("rewrites files that a concurrent commit removed or rewrote");
    assertThat(ids()).containsExactly(1L, 5L);
  }

  @Test
  void removingAFileTheTableNoLongerHasFailsBeforeCommitting() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    ours.commitChanges(1, List.of(), List.of(a0));
    committer("theirs").commitChanges(1, List.of(a0), List.of());
    long version = DeltaTableReader.version(table);
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(file(0, 2))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessageContaining(
            "transaction ours/2 rewrites files that a concurrent commit removed or"
                + " rewrote (["
                + a0.path()
                + "])");
    assertThat(DeltaTableReader.version(table)).isEqualTo(version);
  }

  @Test
  void aReplayedUpsertCommitIsSkipped() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    DeltaDataFile a0v2 = file(0, 2);
    ours.commitChanges(1, List.of(), List.of(a0));
    assertThat(ours.commitChanges(2, List.of(a0), List.of(a0v2))).isPresent();
    long version = DeltaTableReader.version(table);
    // replayed after a restore: its removed file is gone, but the transaction id says it is done
    assertThat(ours.commitChanges(2, List.of(a0), List.of(a0v2))).isEmpty();
    assertThat(DeltaTableReader.version(table)).isEqualTo(version);
    assertThat(ids()).containsExactly(2L);
  }

  @Test
  void twoCommitsThatChangeTheDeletionVectorOfTheSameFileConflict() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1, 2, 3);
    ours.commitChanges(1, List.of(), List.of(a0));
    DeltaDataFile theirs = withVector(a0, 1); // deletes id 2
    ours.beforeChangeCommit(
        () -> committer("theirs").commitChanges(1, List.of(a0), List.of(theirs)));
    long before = DeltaTableReader.version(table);

    // ours deletes id 1 of the same file from the same base: committing it would resurrect id 2
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(withVector(a0, 0))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(concurrentRewrite("ours/2", List.of(a0.path())));
    assertThat(DeltaTableReader.version(table)).isEqualTo(before + 1); // the winner's commit only
    assertThat(ids()).containsExactly(1L, 3L);
  }

  @Test
  void aRaceLostToADeletionVectorChangeInAnotherBucketIsCommittedAgain() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1, 2);
    DeltaDataFile a1 = file(1, 3, 4);
    ours.commitChanges(1, List.of(), List.of(a0, a1));
    DeltaDataFile theirs = withVector(a1, 0); // deletes id 3
    AtomicInteger attempts = new AtomicInteger();
    ours.beforeChangeCommit(
        () -> {
          if (attempts.incrementAndGet() == 1) {
            committer("theirs").commitChanges(1, List.of(a1), List.of(theirs));
          }
        });
    DeltaDataFile upserted = file(0, 5);

    OptionalLong version = ours.commitChanges(2, List.of(a0), List.of(withVector(a0, 1), upserted));

    assertThat(attempts).hasValue(2);
    assertThat(version).isPresent();
    assertThat(ids()).containsExactly(1L, 4L, 5L); // both vectors apply
  }

  @Test
  void aRaceLostToADeletionVectorChangeOfAnotherFileInTheSameBucketFails() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1);
    DeltaDataFile b0 = file(0, 2, 3);
    ours.commitChanges(1, List.of(), List.of(a0, b0));
    ours.beforeChangeCommit(
        () -> {
          try {
            committer("theirs").commitChanges(1, List.of(b0), List.of(withVector(b0, 0)));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });

    // the winner changed bucket 0, whose content ours was computed from
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(file(0, 1, 9))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(concurrentRewrite("ours/2", List.of(b0.path())));
    assertThat(ids()).containsExactly(1L, 3L);
  }

  @Test
  void aFileWhoseDeletionVectorTheTableAlreadyChangedFailsBeforeCommitting() throws Exception {
    DeltaTableCommitter ours = committer("ours");
    DeltaDataFile a0 = file(0, 1, 2);
    ours.commitChanges(1, List.of(), List.of(a0));
    DeltaDataFile once = withVector(a0, 0);
    ours.commitChanges(2, List.of(a0), List.of(once));
    long version = DeltaTableReader.version(table);

    // a writer whose state still names the file without its vector (say, restored from an older
    // savepoint)
    assertThatThrownBy(
            () -> committer("stale").commitChanges(1, List.of(a0), List.of(withVector(a0, 1))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(concurrentRewrite("stale/1", List.of(a0.path())));
    assertThat(DeltaTableReader.version(table)).isEqualTo(version);
    assertThat(ids()).containsExactly(2L);
  }
}
