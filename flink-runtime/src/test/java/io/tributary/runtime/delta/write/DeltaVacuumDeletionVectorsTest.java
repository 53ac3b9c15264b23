package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.maintain.DeltaLogMaintenance;
import io.tributary.runtime.delta.maintain.DeltaVacuum;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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
 * VACUUM of a keyed table that uses deletion vectors, written epoch by epoch by the real upsert
 * writer: a deletion vector file superseded by a newer vector of the same data file, or left behind
 * when the writer compacted its data file away, is deleted like a removed data file (after the
 * retention); one that still holds the vector of a live file is never deleted, even if it also holds
 * superseded ones; one of an aborted epoch is an orphan. The table reads back the same rows after.
 */
@SuppressWarnings("try")
class DeltaVacuumDeletionVectorsTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("v", DataTypes.INT()))
              .notNull()
              .getLogicalType();

  private static final Duration WEEK = Duration.ofDays(7);

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private String table;
  private org.apache.hadoop.fs.Path root;
  private DeltaWriteSpec spec;
  private DeltaTableCommitter committer;

  /** The rows the table must hold: id to row. */
  private final Map<Long, Row> expected = new TreeMap<>();

  @BeforeEach
  void setUp() {
    table = dir.resolve("t").toString();
    root = DeltaPaths.qualified(table, conf);
    spec =
        DeltaWriteSpec.upsert(table, TYPE, "pipeline/flow/t/gen-1", List.of("id"))
            .withProperties(Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "4"));
    committer = new DeltaTableCommitter(DefaultEngine.create(conf), spec);
  }

  private KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> harness()
      throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new DeltaUpsertWriterOperator(spec, 1 << 20, committer.usesDeletionVectors()),
            new DeltaSink.BucketSelector(spec),
            Types.INT);
    harness.initializeEmptyState();
    harness.open();
    return harness;
  }

  private static RowData row(RowKind kind, long id, int v) {
    return GenericRowData.ofKind(kind, id, StringData.fromString("name-" + id), v);
  }

  private void upsert(
      KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long id, int v)
      throws Exception {
    h.processElement(row(RowKind.INSERT, id, v), 0);
    expected.put(id, Row.of(id, "name-" + id, v));
  }

  private void delete(KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long id)
      throws Exception {
    h.processElement(row(RowKind.DELETE, id, 0), 0);
    expected.remove(id);
  }

  /** Ends an epoch at the barrier and returns the bucket changes the writer sent. */
  private static List<DeltaBucketChange> barrier(
      KeyedOneInputStreamOperatorTestHarness<Integer, RowData, byte[]> h, long checkpointId)
      throws Exception {
    h.prepareSnapshotPreBarrier(checkpointId);
    List<DeltaBucketChange> changes =
        h.extractOutputValues().stream().map(DeltaBucketChange::fromBytes).toList();
    h.getOutput().clear();
    return changes;
  }

  /** Commits an epoch's changes as the committer operator does. */
  private void commit(long epoch, List<DeltaBucketChange> changes) {
    List<DeltaDataFile> removed = new ArrayList<>();
    List<DeltaDataFile> added = new ArrayList<>();
    for (DeltaBucketChange change : changes) {
      removed.addAll(change.removed());
      added.addAll(change.added());
    }
    assertThat(committer.commitChanges(epoch, removed, added)).isPresent();
  }

  /** The one data file of {@code bucket} that {@code changes} re-added with a deletion vector. */
  private static DeltaDataFile withVector(List<DeltaBucketChange> changes, int bucket) {
    return changes.stream()
        .filter(c -> c.bucket() == bucket)
        .flatMap(c -> c.added().stream())
        .filter(f -> f.deletionVector() != null)
        .reduce(
            (a, b) -> {
              throw new AssertionError("two files with vectors in bucket " + bucket);
            })
        .orElseThrow();
  }

  /** The name of the file a deletion vector is in. */
  private String vectorFile(DeltaDeletionVector dv) {
    return DeletionVectorStore.path(dv, root).getName();
  }

  /** A file of the table, by its path relative to the table root. */
  private Path file(String relative) {
    return dir.resolve("t").resolve(relative);
  }

  private String relative(String absoluteUri) {
    return dir.resolve("t").relativize(Path.of(java.net.URI.create(absoluteUri))).toString();
  }

  private List<String> deletionVectorFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("t"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("deletion_vector_"))
          .sorted()
          .toList();
    }
  }

  @Test
  void vacuumDeletesSupersededAndOrphanedDeletionVectorFilesAndKeepsEveryOneALiveFileUses()
      throws Exception {
    BucketKeys keys = BucketKeys.of(spec);
    Map<Integer, List<Long>> idsByBucket = new TreeMap<>();
    for (long id = 1; id <= 40; id++) {
      idsByBucket
          .computeIfAbsent(keys.bucket(row(RowKind.INSERT, id, 0)), b -> new ArrayList<>())
          .add(id);
    }
    int x = keys.bucket(row(RowKind.INSERT, 1, 0));
    int y = idsByBucket.keySet().stream().filter(b -> b != x).findFirst().orElseThrow();
    List<Long> xs = idsByBucket.get(x);
    List<Long> ys = idsByBucket.get(y);
    assertThat(xs).as("keys of bucket %s", x).hasSizeGreaterThanOrEqualTo(6);

    String superseded;
    String shared;
    String compactedAway;
    String orphanVectors;
    List<String> orphanData;
    try (var h = harness()) {
      for (long id = 1; id <= 40; id++) {
        upsert(h, id, 1);
      }
      List<DeltaBucketChange> first = barrier(h, 1);
      commit(1, first);
      compactedAway =
          first.stream()
              .filter(c -> c.bucket() == x)
              .findFirst()
              .orElseThrow()
              .added()
              .get(0)
              .path();

      // epoch 2: one row of bucket x's file is deleted by a vector, alone in its vector file
      upsert(h, xs.get(0), 2);
      List<DeltaBucketChange> second = barrier(h, 2);
      commit(2, second);
      superseded = vectorFile(withVector(second, x).deletionVector());

      // epoch 3: a second row of the same file (its vector replaced by a wider one) and a row of
      // bucket y's file: both new vectors in one vector file
      upsert(h, xs.get(1), 3);
      upsert(h, ys.get(0), 3);
      List<DeltaBucketChange> third = barrier(h, 3);
      commit(3, third);
      shared = vectorFile(withVector(third, x).deletionVector());
      assertThat(vectorFile(withVector(third, y).deletionVector())).isEqualTo(shared);
      assertThat(shared).isNotEqualTo(superseded);

      // epoch 4: more than half of bucket x's first file deleted: the writer compacts it away
      for (int i = 2; i <= xs.size() / 2; i++) {
        delete(h, xs.get(i));
      }
      List<DeltaBucketChange> fourth = barrier(h, 4);
      assertThat(fourth)
          .singleElement()
          .satisfies(
              c ->
                  assertThat(c.removed().stream().map(DeltaDataFile::path))
                      .contains(compactedAway));
      assertThat(fourth.get(0).added()).noneMatch(f -> f.path().equals(compactedAway));
      commit(4, fourth);

      // epoch 5 is aborted: its vector file and data file are never committed
      Map<Long, Row> committed = new TreeMap<>(expected);
      upsert(h, ys.get(1), 5);
      List<DeltaBucketChange> aborted = barrier(h, 5);
      orphanVectors = vectorFile(withVector(aborted, y).deletionVector());
      orphanData =
          aborted.get(0).added().stream()
              .filter(f -> f.deletionVector() == null)
              .map(f -> relative(f.path()))
              .toList();
      expected.clear();
      expected.putAll(committed);
    }
    assertThat(deletionVectorFiles()).containsExactlyInAnyOrder(superseded, shared, orphanVectors);
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrderElementsOf(expected.values());

    // within the table's retention nothing is dead yet
    assertThat(DeltaVacuum.vacuum(table, Optional.empty(), false, Optional.empty(), false, conf))
        .isEqualTo(new DeltaVacuum.Result(WEEK, List.of(), 0, false, Optional.empty()));

    // a dry run lists the dead vector files with the dead data files and deletes nothing
    List<String> dead =
        Stream.concat(
                Stream.of(superseded, orphanVectors, relative(compactedAway)), orphanData.stream())
            .sorted()
            .toList();
    DeltaVacuum.Result dry =
        DeltaVacuum.vacuum(table, Optional.of(Duration.ZERO), true, Optional.empty(), true, conf);
    assertThat(dry.deleted()).containsExactlyElementsOf(dead);
    assertThat(dry.dryRun()).isTrue();
    assertThat(deletionVectorFiles()).containsExactlyInAnyOrder(superseded, shared, orphanVectors);

    // while a job has a retained checkpoint, the aborted epoch's files are orphans kept; the
    // superseded vector is known as removed from the remove actions of the Delta checkpoint alone
    assertThat(DeltaLogMaintenance.run(table, false, conf).checkpoint())
        .hasValue(DeltaTableReader.version(table));
    DeltaVacuum.Result kept =
        DeltaVacuum.vacuum(
            table,
            Optional.of(Duration.ZERO),
            true,
            Optional.of("job j has a retained checkpoint"),
            false,
            conf);
    assertThat(kept.deleted()).containsExactlyInAnyOrder(superseded, relative(compactedAway));
    assertThat(kept.note())
        .contains(
            (1 + orphanData.size())
                + " unreferenced file(s) kept: job j has a"
                + " retained checkpoint");
    assertThat(deletionVectorFiles()).containsExactlyInAnyOrder(shared, orphanVectors);
    assertThat(file(relative(compactedAway))).doesNotExist();
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrderElementsOf(expected.values());

    DeltaVacuum.Result result =
        DeltaVacuum.vacuum(table, Optional.of(Duration.ZERO), true, Optional.empty(), false, conf);
    assertThat(result.deleted())
        .containsExactlyElementsOf(
            Stream.concat(Stream.of(orphanVectors), orphanData.stream()).sorted().toList());
    // the vector file of epoch 3 also held bucket x's superseded vector, but bucket y's file still
    // uses it
    assertThat(deletionVectorFiles()).containsExactly(shared);
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrderElementsOf(expected.values());
    KernelSnapshotScan scan = new KernelSnapshotScan(DefaultEngine.create(conf), table, -1, TYPE);
    assertThat(scan.dataFiles())
        .filteredOn(f -> f.deletionVector() != null)
        .singleElement()
        .satisfies(f -> assertThat(vectorFile(f.deletionVector())).isEqualTo(shared));
    for (DeltaDataFile live : scan.dataFiles()) {
      assertThat(file(relative(live.path()))).exists();
    }
    assertThat(
            DeltaVacuum.vacuum(
                    table, Optional.of(Duration.ZERO), true, Optional.empty(), false, conf)
                .deleted())
        .isEmpty();
  }
}
