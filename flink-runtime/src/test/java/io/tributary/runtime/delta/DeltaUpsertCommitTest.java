package io.tributary.runtime.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
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
 * with a clear error, and the table stays readable either way.
 */
class DeltaUpsertCommitTest {

  static final RowType TYPE = (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  private String table;
  private DeltaWriteSpec spec;

  @BeforeEach
  void setUp() {
    table = dir.resolve("t").toString();
    spec = DeltaWriteSpec.upsert(table, TYPE, "pipeline/flow/t/gen-1", List.of("id"))
        .withProperties(Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "4"));
  }

  private DeltaTableCommitter committer(String appId) {
    DeltaWriteSpec s = new DeltaWriteSpec(table, TYPE, DeltaWriteSpec.WriteMode.UPSERT, appId, 1, List.of(),
        spec.comment(), spec.properties(), spec.keyColumns());
    return new DeltaTableCommitter(DefaultEngine.create(new Configuration()), s);
  }

  /** A data file in a bucket directory holding {@code ids} (buckets are not checked here). */
  private DeltaDataFile file(int bucket, long... ids) throws Exception {
    try (DeltaFileWriter writer = new DeltaFileWriter(table + "/" + BucketKeys.directory(bucket), TYPE,
        List.of(), 1 << 20, new Configuration(), 0)) {
      for (long id : ids) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      }
      return writer.closeAll().get(0);
    }
  }

  private List<Long> ids() {
    return DeltaTableReader.readAll(table).stream().map(r -> (Long) r.getField(0)).sorted().toList();
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
    ours.beforeChangeCommit(() -> {
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
    ours.beforeChangeCommit(() -> committer("theirs").commitChanges(1, List.of(a0), List.of(theirs)));
    assertThatThrownBy(() -> ours.commitChanges(2, List.of(a0), List.of(file(0, 1, 4))))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage("Table '" + table + "': the upsert commit of transaction ours/2 rewrites files that a"
            + " concurrent commit removed or rewrote ([" + a0.path() + ", " + theirs.path() + "]). Another"
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
    ours.beforeChangeCommit(() -> committer("theirs").commitChanges(1, List.of(), List.of(appended)));
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
        .hasMessageContaining("transaction ours/2 rewrites files that a concurrent commit removed or"
            + " rewrote ([" + a0.path() + "])");
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
}
