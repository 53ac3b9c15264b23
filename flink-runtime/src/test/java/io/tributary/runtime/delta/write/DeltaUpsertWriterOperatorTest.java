package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bucket merge of the upsert writer, epoch by epoch with Flink's keyed operator harness: each
 * epoch's bucket changes are committed as {@link DeltaCommitterOperator} would, and the table is read
 * back with Kernel. Runs with deletion vectors (the default for new keyed tables);
 * {@code DeltaUpsertWriterOperatorCopyOnWriteTest} runs every test again copy-on-write.
 */
@SuppressWarnings("try")
class DeltaUpsertWriterOperatorTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("v", DataTypes.INT()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  private String table;
  private DeltaWriteSpec spec;
  private DeltaTableCommitter committer;

  @BeforeEach
  void setUp() {
    table = dir.resolve("t").toString();
    spec =
        DeltaWriteSpec.upsert(table, TYPE, "pipeline/flow/t/gen-1", List.of("id"))
            .withProperties(
                Map.of(
                    DeltaWriteSpec.BUCKETS_PROPERTY,
                    "4",
                    DeltaWriteSpec.DELETION_VECTORS_PROPERTY,
                    Boolean.toString(deletionVectors())));
    committer = new DeltaTableCommitter(DefaultEngine.create(new Configuration()), spec);
  }

  /** Whether the table uses deletion vectors (merge-on-read) rather than copy-on-write. */
  boolean deletionVectors() {
    return true;
  }

  private KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> harness(
      DeltaWriteSpec spec, OperatorSubtaskState state) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new DeltaUpsertWriterOperator(
                spec,
                1 << 20,
                new DeltaTableCommitter(DefaultEngine.create(new Configuration()), spec)
                    .usesDeletionVectors()),
            new DeltaSink.BucketSelector(spec),
            Types.INT);
    if (state == null) {
      harness.initializeEmptyState();
    } else {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  private static RowData row(RowKind kind, long id, int v) {
    return GenericRowData.ofKind(kind, id, StringData.fromString("name-" + id), v);
  }

  private static void upsert(
      KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long id, int v)
      throws Exception {
    h.processElement(row(RowKind.INSERT, id, v), 0);
  }

  private static void delete(
      KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long id)
      throws Exception {
    h.processElement(row(RowKind.DELETE, id, 0), 0);
  }

  /** Ends an epoch at the barrier and returns the bucket rewrites the writer sent. */
  private static List<DeltaBucketChange> barrier(
      KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long checkpointId)
      throws Exception {
    h.prepareSnapshotPreBarrier(checkpointId);
    List<DeltaBucketChange> changes =
        h.extractOutputValues().stream().map(DeltaBucketChange::fromBytes).toList();
    h.getOutput().clear();
    return changes;
  }

  private void commit(long epoch, List<DeltaBucketChange> changes) {
    List<DeltaDataFile> removed = new ArrayList<>();
    List<DeltaDataFile> added = new ArrayList<>();
    for (DeltaBucketChange change : changes) {
      removed.addAll(change.removed());
      added.addAll(change.added());
    }
    committer.commitChanges(epoch, removed, added);
  }

  /** The table as id → (name, v). */
  private Map<Long, Row> tableRows() {
    Map<Long, Row> rows = new TreeMap<>();
    for (Row row : DeltaTableReader.readAll(table)) {
      assertThat(rows.put((Long) row.getField(0), row)).as("duplicate key %s", row).isNull();
    }
    return rows;
  }

  private static Row expected(long id, int v) {
    return Row.of(id, "name-" + id, v);
  }

  private static Set<Integer> bucketsOf(List<DeltaBucketChange> changes) {
    return changes.stream().map(DeltaBucketChange::bucket).collect(Collectors.toSet());
  }

  private Set<Integer> bucketsOfKeys(long... ids) {
    BucketKeys keys = BucketKeys.of(spec);
    Set<Integer> buckets = new java.util.HashSet<>();
    for (long id : ids) {
      buckets.add(keys.bucket(row(RowKind.INSERT, id, 0)));
    }
    return buckets;
  }

  private long parquetFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dir.resolve("t"))) {
      return files.filter(p -> p.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void upsertsReplaceAndDeletesRemoveRowsRewritingOnlyTheTouchedBuckets() throws Exception {
    try (var h = harness(spec, null)) {
      for (long id = 1; id <= 40; id++) {
        upsert(h, id, 1);
      }
      List<DeltaBucketChange> first = barrier(h, 1);
      assertThat(first).hasSize(4).allSatisfy(c -> assertThat(c.removed()).isEmpty());
      commit(1, first);

      h.processElement(row(RowKind.UPDATE_BEFORE, 3, 1), 0);
      h.processElement(row(RowKind.UPDATE_AFTER, 3, 2), 0);
      delete(h, 5);
      upsert(h, 41, 1);
      List<DeltaBucketChange> second = barrier(h, 2);
      assertThat(bucketsOf(second)).isEqualTo(bucketsOfKeys(3, 5, 41)).hasSizeLessThan(4);
      for (DeltaBucketChange change : second) {
        DeltaBucketChange before =
            first.stream().filter(c -> c.bucket() == change.bucket()).findFirst().orElseThrow();
        if (deletionVectors()) { // only files holding a changed key; new rows go to a new file
          assertThat(before.added()).containsAll(change.removed());
          assertThat(change.added()).hasSize(change.removed().size() + 1);
        } else {
          assertThat(change.removed()).isEqualTo(before.added());
        }
        assertThat(change.added())
            .allSatisfy(
                f ->
                    assertThat(f.path())
                        .contains("/" + BucketKeys.directory(change.bucket()) + "/"));
      }
      commit(2, second);
    }
    Map<Long, Row> expected = new TreeMap<>();
    for (long id = 1; id <= 41; id++) {
      expected.put(id, expected(id, id == 3 ? 2 : 1));
    }
    expected.remove(5L);
    assertThat(tableRows()).isEqualTo(expected);
    if (!deletionVectors()) { // Delta Standalone 3.3.2 cannot read tables with deletion vectors
      assertThat(DeltaTestSupport.readWithStandalone(table, TYPE))
          .containsExactlyInAnyOrderElementsOf(expected.values());
    }
  }

  @Test
  void theLastChangeOfAKeyInAnEpochWins() throws Exception {
    try (var h = harness(spec, null)) {
      upsert(h, 1, 1);
      upsert(h, 2, 1);
      commit(1, barrier(h, 1));

      upsert(h, 7, 1); // insert, delete, reinsert: the reinsert stays
      delete(h, 7);
      upsert(h, 7, 2);
      upsert(h, 8, 1); // insert then delete: gone
      delete(h, 8);
      delete(h, 1); // delete then reinsert of a committed key
      upsert(h, 1, 3);
      upsert(h, 2, 2); // two updates: the second
      upsert(h, 2, 4);
      commit(2, barrier(h, 2));
    }
    assertThat(tableRows())
        .isEqualTo(Map.of(1L, expected(1, 3), 2L, expected(2, 4), 7L, expected(7, 2)));
  }

  @Test
  void aDeleteOfAnAbsentKeyRewritesNothing() throws Exception {
    try (var h = harness(spec, null)) {
      upsert(h, 1, 1);
      commit(1, barrier(h, 1));
      long version = DeltaTableReader.version(table);
      long files = parquetFiles();

      delete(h, 999);
      delete(h, 1000);
      assertThat(barrier(h, 2)).isEmpty();
      assertThat(parquetFiles()).isEqualTo(files); // the unneeded rewrite was deleted again

      delete(h, 1); // the bucket becomes empty: its file is removed, none added
      List<DeltaBucketChange> third = barrier(h, 3);
      assertThat(third)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.removed()).hasSize(1);
                assertThat(c.added()).isEmpty();
              });
      commit(3, third);
      assertThat(DeltaTableReader.version(table)).isEqualTo(version + 1);
    }
    assertThat(tableRows()).isEmpty();
  }

  @Test
  void aRestoredWriterRewritesTheFilesOfItsCheckpointNotYetCommittedNorThoseOfAnAbortedEpoch()
      throws Exception {
    OperatorSubtaskState checkpoint1;
    List<DeltaBucketChange> epoch1;
    try (var h = harness(spec, null)) {
      for (long id = 1; id <= 10; id++) {
        upsert(h, id, 1);
      }
      epoch1 = barrier(h, 1);
      checkpoint1 = h.snapshot(1, 0);
    }
    // epoch 1 is pending in the committer's state, not yet in the table
    assertThat(DeltaTableReader.schema(table)).isEmpty();
    List<DeltaBucketChange> aborted;
    try (var h = harness(spec, checkpoint1)) {
      upsert(h, 1, 5);
      aborted = barrier(h, 2); // its checkpoint never completes
    }
    try (var h = harness(spec, checkpoint1)) {
      upsert(h, 1, 2);
      delete(h, 2);
      List<DeltaBucketChange> epoch2 = barrier(h, 2);
      for (DeltaBucketChange change : epoch2) {
        DeltaBucketChange base =
            epoch1.stream().filter(c -> c.bucket() == change.bucket()).findFirst().orElseThrow();
        assertThat(change.removed()).isEqualTo(base.added());
        assertThat(change.removed()).doesNotContainAnyElementsOf(aborted.get(0).added());
      }
      commit(1, epoch1); // the restored committer commits its pending epoch first
      commit(2, epoch2);
    }
    Map<Long, Row> expected = new TreeMap<>();
    for (long id = 1; id <= 10; id++) {
      expected.put(id, expected(id, id == 1 ? 2 : 1));
    }
    expected.remove(2L);
    assertThat(tableRows()).isEqualTo(expected);
  }

  @Test
  void aWriterWithoutStateTakesItsBucketsFromTheTable() throws Exception {
    try (var h = harness(spec, null)) {
      for (long id = 1; id <= 10; id++) {
        upsert(h, id, 1);
      }
      commit(1, barrier(h, 1));
    }
    // a new job of the same lineage, without state (e.g. state lost), on the same table
    try (var h = harness(spec, null)) {
      upsert(h, 4, 9);
      List<DeltaBucketChange> changes = barrier(h, 2);
      assertThat(changes).singleElement().satisfies(c -> assertThat(c.removed()).hasSize(1));
      commit(2, changes);
    }
    Map<Long, Row> expected = new TreeMap<>();
    for (long id = 1; id <= 10; id++) {
      expected.put(id, expected(id, id == 4 ? 9 : 1));
    }
    assertThat(tableRows()).isEqualTo(expected);
  }

  @Test
  void upsertEpochsMergedByAFailedCheckpointCommitOnceRemovingOnlyLiveFiles() throws Exception {
    try (var w = harness(spec, null);
        var c =
            new OneInputStreamOperatorTestHarness<>(new DeltaCommitterOperator(spec, false, 0))) {
      c.initializeEmptyState();
      c.open();
      upsert(w, 1, 1);
      upsert(w, 2, 1);
      for (DeltaBucketChange change : barrier(w, 1)) {
        c.processElement(change.toBytes(), 0);
      }
      c.snapshot(1, 0);
      c.notifyOfCompletedCheckpoint(1);
      long version = DeltaTableReader.version(table);

      upsert(w, 1, 2);
      for (DeltaBucketChange change : barrier(w, 2)) {
        c.processElement(change.toBytes(), 0);
      }
      c.snapshot(2, 0);
      upsert(w, 1, 3); // the same bucket again: epoch 2's file is replaced before it is committed
      for (DeltaBucketChange change : barrier(w, 3)) {
        c.processElement(change.toBytes(), 0);
      }
      c.snapshot(3, 0);
      c.notifyOfCompletedCheckpoint(3); // checkpoint 2 never completed
      assertThat(DeltaTableReader.version(table)).isEqualTo(version + 1);
    }
    assertThat(tableRows()).isEqualTo(Map.of(1L, expected(1, 3), 2L, expected(2, 1)));
  }

  @Test
  void twoRewritesOfABucketBetweenTwoCommitterCheckpointsCommitOnlyTheLastFile() throws Exception {
    try (var w = harness(spec, null);
        var c =
            new OneInputStreamOperatorTestHarness<>(new DeltaCommitterOperator(spec, false, 0))) {
      c.initializeEmptyState();
      c.open();
      upsert(w, 1, 1);
      for (DeltaBucketChange change : barrier(w, 1)) {
        c.processElement(change.toBytes(), 0);
      }
      // checkpoint 1 is aborted after the writer's barrier, before the committer snapshots
      upsert(w, 1, 2);
      for (DeltaBucketChange change : barrier(w, 2)) {
        c.processElement(change.toBytes(), 0);
      }
      c.snapshot(2, 0);
      c.notifyOfCompletedCheckpoint(2);
    }
    assertThat(tableRows()).isEqualTo(Map.of(1L, expected(1, 2)));
    assertThat(DeltaTableReader.version(table)).isEqualTo(1); // created, then one commit
  }

  @Test
  void anotherBucketCountOnAnExistingTableIsAClearError() throws Exception {
    try (var h = harness(spec, null)) {
      upsert(h, 1, 1);
      commit(1, barrier(h, 1));
    }
    DeltaWriteSpec eight = spec.withProperties(Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "8"));
    DeltaTableCommitter other =
        new DeltaTableCommitter(DefaultEngine.create(new Configuration()), eight);
    org.assertj.core.api.Assertions.assertThatThrownBy(other::checkBuckets)
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '"
                + table
                + "' is laid out in 4 buckets (tributary.buckets) but the job"
                + " writes it with 8. Rows are found by their bucket, so the count cannot change in place:"
                + " keep 4 or do a full refresh of the table.");
  }
}
