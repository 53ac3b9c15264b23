package io.tributary.runtime.delta.maintain;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelIterators;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.BucketKeys;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table maintenance of one Delta table: compaction keeps exactly the rows and is skipped by streaming
 * readers, loses no race silently, leaves keyed tables alone; VACUUM deletes only dead files older
 * than the retention; the log gets its checkpoint and loses only expired files.
 */
class DeltaMaintenanceTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("country", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  private static final Duration WEEK = Duration.ofDays(7);

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final Engine engine = DefaultEngine.create(conf);

  private List<DeltaDataFile> write(String table, List<String> partitions, List<Row> rows)
      throws Exception {
    try (DeltaFileWriter writer = new DeltaFileWriter(table, TYPE, partitions, 1 << 20, conf, 0)) {
      for (Row row : rows) {
        writer.write(internal(TYPE, row));
      }
      return writer.closeAll();
    }
  }

  /** A table partitioned by country, one epoch per id: two small files per epoch. */
  private List<Row> partitionedTable(String table, int epochs) throws Exception {
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            engine,
            DeltaWriteSpec.append(table, TYPE, "app").withPartitionColumns(List.of("country")));
    List<Row> rows = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      List<Row> batch =
          List.of(Row.of(epoch * 10L, "a" + epoch, "F/R"), Row.of(epoch * 10L + 1, null, "DE"));
      rows.addAll(batch);
      committer.commit(epoch, write(table, List.of("country"), batch), false);
    }
    return rows;
  }

  @Test
  void compactionRewritesEachPartitionsSmallFilesInOneCommitKeepingExactlyTheRows()
      throws Exception {
    String table = dir.resolve("t").toString();
    List<Row> rows = partitionedTable(table, 4);
    long before = DeltaTableReader.version(table);

    DeltaCompaction.Result result = DeltaCompaction.compact(table, 1 << 20, false, conf);

    assertThat(result)
        .isEqualTo(
            new DeltaCompaction.Result(
                8,
                8,
                result.bytesRemoved(),
                2,
                result.bytesAdded(),
                OptionalLong.of(before + 1),
                false,
                Optional.empty()));
    assertThat(result.filesAfter()).isEqualTo(2);
    assertThat(result.bytesRemoved()).isPositive();
    assertThat(result.bytesAdded()).isPositive().isLessThan(result.bytesRemoved());
    assertThat(DeltaTableReader.version(table)).isEqualTo(before + 1);
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, TYPE))
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTableReader.readAll(table, before)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(new KernelSnapshotScan(engine, table, -1, TYPE).files())
        .hasSize(2)
        .anySatisfy(f -> assertThat(f).contains("/country=F%2FR/"));

    // what a streaming reader sees of the compaction's version: only removes and adds, none a data
    // change
    List<String> actions = actions(table, before + 1);
    assertThat(actions)
        .hasSize(10)
        .filteredOn(a -> a.startsWith("add "))
        .hasSize(2)
        .allSatisfy(
            a ->
                assertThat(a)
                    .endsWith(" dataChange=false")
                    .contains("\"numRecords\":4", "\"minValues\""));
    assertThat(actions)
        .filteredOn(a -> a.startsWith("remove "))
        .hasSize(8)
        .allSatisfy(a -> assertThat(a).endsWith(" dataChange=false"));

    // nothing left to compact
    DeltaCompaction.Result again = DeltaCompaction.compact(table, 1 << 20, false, conf);
    assertThat(again)
        .isEqualTo(
            new DeltaCompaction.Result(
                2, 0, 0, 0, 0, OptionalLong.empty(), false, Optional.empty()));
    assertThat(DeltaTableReader.version(table)).isEqualTo(before + 1);
  }

  @Test
  void aDryRunCompactionPlansTheBinsAndWritesNothing() throws Exception {
    String table = dir.resolve("dry").toString();
    partitionedTable(table, 3);
    long before = DeltaTableReader.version(table);
    long files = countFiles(dir.resolve("dry"));

    DeltaCompaction.Result result = DeltaCompaction.compact(table, 1 << 20, true, conf);

    assertThat(result)
        .isEqualTo(
            new DeltaCompaction.Result(
                6, 6, result.bytesRemoved(), 2, 0, OptionalLong.empty(), true, Optional.empty()));
    assertThat(DeltaTableReader.version(table)).isEqualTo(before);
    assertThat(countFiles(dir.resolve("dry"))).isEqualTo(files);
  }

  @Test
  void filesAtTheTargetSizeAreLeftAloneAndBinsStayBelowIt() throws Exception {
    String table = dir.resolve("bins").toString();
    partitionedTable(table, 4);
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, table, -1, TYPE);
    long size = scan.fileStatuses().stream().mapToLong(f -> f.getSize()).max().orElseThrow();

    // a target of two files: each partition's four files make two bins of two
    List<DeltaCompaction.Bin> bins = DeltaCompaction.plan(scan, 2 * size + 1);
    assertThat(bins).hasSize(4).allSatisfy(b -> assertThat(b.files()).hasSize(2));
    // a target below every file: nothing is small
    assertThat(DeltaCompaction.plan(scan, 1)).isEmpty();
  }

  @Test
  void aKeyedTableIsNotCompacted() throws Exception {
    String table = dir.resolve("keyed").toString();
    RowType type =
        (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
    DeltaTableCommitter committer =
        new DeltaTableCommitter(engine, DeltaWriteSpec.upsert(table, type, "app", List.of("id")));
    for (long epoch = 1; epoch <= 2; epoch++) {
      try (DeltaFileWriter writer =
          new DeltaFileWriter(
              table + "/" + BucketKeys.directory(0), type, List.of(), 1 << 20, conf, 0)) {
        writer.write(internal(type, Row.of(epoch)));
        committer.commitChanges(epoch, List.of(), writer.closeAll());
      }
    }
    long before = DeltaTableReader.version(table);

    DeltaCompaction.Result result = DeltaCompaction.compact(table, 1 << 20, false, conf);

    assertThat(result.skipped())
        .contains(
            "a keyed table (upserts by key, in bucket=NNNNN/ directories): its"
                + " writer keeps each bucket's files in Flink state and rewrites whole buckets itself, so it is not"
                + " compacted");
    assertThat(result.filesRemoved()).isZero();
    assertThat(DeltaTableReader.version(table)).isEqualTo(before);
  }

  @Test
  void aRewriteWhoseFilesAConcurrentCommitRemovedFailsAndOneThatLostToAnAppendCommitsAgain()
      throws Exception {
    String table = dir.resolve("race").toString();
    DeltaTableCommitter appender =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, TYPE, "app"));
    List<DeltaDataFile> small = new ArrayList<>();
    for (long epoch = 1; epoch <= 2; epoch++) {
      List<DeltaDataFile> files = write(table, List.of(), List.of(Row.of(epoch, "n", "DE")));
      appender.commit(epoch, files, false);
      small.addAll(files);
    }
    StructType schema = DeltaTypes.toStructType(TYPE);
    List<String> removed = small.stream().map(DeltaDataFile::path).toList();

    // an append wins the race: none of the rewritten files changed, so the rewrite commits again
    DeltaTableCommitter rewriter =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, TYPE, "maint"));
    AtomicInteger attempts = new AtomicInteger();
    rewriter.beforeChangeCommit(
        () -> {
          if (attempts.incrementAndGet() == 1) {
            try {
              appender.commit(3, write(table, List.of(), List.of(Row.of(3L, "n", "DE"))), false);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        });
    long version =
        rewriter.commitRewrite(
            schema,
            removed,
            write(table, List.of(), List.of(Row.of(1L, "n", "DE"), Row.of(2L, "n", "DE"))));
    assertThat(attempts).hasValue(2);
    assertThat(version).isEqualTo(3);
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrder(
            Row.of(1L, "n", "DE"), Row.of(2L, "n", "DE"), Row.of(3L, "n", "DE"));

    // an overwrite wins the race and removes the files being rewritten: nothing is committed
    List<String> live = new KernelSnapshotScan(engine, table, -1, TYPE).files();
    DeltaTableCommitter late =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, TYPE, "maint"));
    late.beforeChangeCommit(
        () -> {
          try {
            new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(table, TYPE, "mat", 1))
                .commit(1, write(table, List.of(), List.of(Row.of(9L, "n", "DE"))), true);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    List<DeltaDataFile> rewritten = write(table, List.of(), List.of(Row.of(1L, "n", "DE")));
    assertThatThrownBy(() -> late.commitRewrite(schema, live, rewritten))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '"
                + table
                + "': the compaction was not committed because, while it rewrote the"
                + " files, a concurrent commit removed "
                + live
                + ". Nothing changed; run the maintenance again.");
    assertThat(DeltaTableReader.readAll(table)).containsExactly(Row.of(9L, "n", "DE"));
    assertThat(DeltaTableReader.version(table)).isEqualTo(4);
  }

  @Test
  void vacuumDeletesOnlyDeadFilesOlderThanTheRetention() throws Exception {
    String table = dir.resolve("v").toString();
    Path root = dir.resolve("v");
    DeltaTableCommitter committer =
        new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(table, TYPE, "mat", 1));
    List<DeltaDataFile> first = write(table, List.of(), List.of(Row.of(1L, "old", "DE")));
    committer.commit(1, first, false);
    List<DeltaDataFile> second = write(table, List.of(), List.of(Row.of(2L, "new", "DE")));
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(table, TYPE, "mat", 2))
        .commit(2, second, true);
    Path removedFile = Path.of(java.net.URI.create(first.get(0).path()));
    Path liveFile = Path.of(java.net.URI.create(second.get(0).path()));
    // an aborted epoch's file, written long ago and never committed; another written a minute ago
    Path oldOrphan = Files.writeString(root.resolve("part-00000-aborted-0.snappy.parquet"), "x");
    Path youngOrphan = Files.writeString(root.resolve("part-00000-inflight-0.snappy.parquet"), "y");
    Path hidden = Files.writeString(root.resolve("_tributary_marker"), "z");
    // an aborted epoch's deletion vector file: an orphan like its data file
    Path deletionVector =
        Files.writeString(
            root.resolve("deletion_vector_" + java.util.UUID.randomUUID() + ".bin"), "dv");
    for (Path p : List.of(removedFile, liveFile, oldOrphan, hidden, deletionVector)) {
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
    }

    String vectorName = deletionVector.getFileName().toString();
    DeltaVacuum.Result dry =
        DeltaVacuum.vacuum(table, Optional.empty(), false, Optional.empty(), true, conf);
    assertThat(dry)
        .isEqualTo(
            new DeltaVacuum.Result(
                WEEK,
                List.of(vectorName, "part-00000-aborted-0.snappy.parquet"),
                3,
                true,
                Optional.empty()));
    assertThat(oldOrphan).exists();

    DeltaVacuum.Result kept =
        DeltaVacuum.vacuum(
            table,
            Optional.empty(),
            false,
            Optional.of("job j has a retained checkpoint"),
            false,
            conf);
    assertThat(kept)
        .isEqualTo(
            new DeltaVacuum.Result(
                WEEK,
                List.of(),
                0,
                false,
                Optional.of("2 unreferenced" + " file(s) kept: job j has a retained checkpoint")));
    assertThat(oldOrphan).exists();

    DeltaVacuum.Result result =
        DeltaVacuum.vacuum(table, Optional.empty(), false, Optional.empty(), false, conf);
    assertThat(result)
        .isEqualTo(
            new DeltaVacuum.Result(
                WEEK,
                List.of(vectorName, "part-00000-aborted-0.snappy.parquet"),
                3,
                false,
                Optional.empty()));
    assertThat(oldOrphan).doesNotExist();
    assertThat(deletionVector).doesNotExist();
    assertThat(youngOrphan).exists();
    assertThat(hidden).exists();
    assertThat(liveFile).exists();
    // removed a moment ago: kept for the retention, so time travel still reads the old version
    assertThat(removedFile).exists();
    assertThat(DeltaTableReader.readAll(table, 0)).containsExactly(Row.of(1L, "old", "DE"));
    assertThat(DeltaTableReader.readAll(table)).containsExactly(Row.of(2L, "new", "DE"));

    // a retention of zero (forced) also deletes the file removed a moment ago, and the young orphan
    DeltaVacuum.Result forced =
        DeltaVacuum.vacuum(table, Optional.of(Duration.ZERO), true, Optional.empty(), false, conf);
    assertThat(forced.deleted())
        .containsExactly(
            removedFile.getFileName().toString(), "part-00000-inflight-0.snappy.parquet");
    assertThat(liveFile).exists();
    assertThat(DeltaTableReader.readAll(table)).containsExactly(Row.of(2L, "new", "DE"));
    assertThat(DeltaTestSupport.readWithStandalone(table, TYPE))
        .containsExactly(Row.of(2L, "new", "DE"));
  }

  @Test
  void vacuumKeepsTheLiveFilesOfEscapedPartitionsAndDeletesTheirRemovedOnes() throws Exception {
    String table = dir.resolve("p").toString();
    List<Row> rows = partitionedTable(table, 2);
    DeltaCompaction.compact(table, 1 << 20, false, conf);

    DeltaVacuum.Result result =
        DeltaVacuum.vacuum(table, Optional.of(Duration.ZERO), true, Optional.empty(), false, conf);

    assertThat(result.deleted())
        .hasSize(4)
        .allSatisfy(
            f -> assertThat(f).matches("country=(F%2FR|DE)/part-00000-.*\\.snappy\\.parquet"));
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, TYPE))
        .containsExactlyInAnyOrderElementsOf(rows);
  }

  @Test
  void aRetentionBelowAnHourIsRefusedUnlessForced() {
    assertThatThrownBy(() -> DeltaVacuum.checkRetention(Duration.ofMinutes(30), false))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "A VACUUM retention of 30 min is below the safe minimum of 1 h: it could delete the files"
                + " of an epoch still being committed, or files a reader of a recent version is still reading. Use"
                + " a retention of at least 1 h (the default is the table's delta.deletedFileRetentionDuration,"
                + " 7 days unless set), or force it if no update or reader is running (tributary maintain"
                + " --force-retention).");
    DeltaVacuum.checkRetention(Duration.ofMinutes(30), true);
    DeltaVacuum.checkRetention(Duration.ofHours(1), false);
    assertThatThrownBy(() -> DeltaVacuum.checkRetention(Duration.ofHours(-2), true))
        .hasMessageStartingWith("A VACUUM retention of -2 h is negative: it could delete");
  }

  @Test
  void theRetentionDefaultsToTheTablesDeletedFileRetentionDuration() throws Exception {
    String table = dir.resolve("prop").toString();
    new DeltaTableCommitter(
            engine,
            DeltaWriteSpec.append(table, TYPE, "app")
                .withProperties(Map.of("delta.deletedFileRetentionDuration", "interval 2 days")))
        .ensureTable();
    assertThat(DeltaVacuum.tableRetention(table, conf)).isEqualTo(Duration.ofDays(2));
    assertThat(
            DeltaVacuum.vacuum(table, Optional.empty(), false, Optional.empty(), false, conf)
                .retention())
        .isEqualTo(Duration.ofDays(2));
  }

  @Test
  void theLogGetsACheckpointOfItsLatestVersionAndLosesOnlyExpiredCommits() throws Exception {
    String table = dir.resolve("log").toString();
    Path log = dir.resolve("log/_delta_log");
    DeltaTableCommitter committer =
        new DeltaTableCommitter(
            engine,
            DeltaWriteSpec.append(table, TYPE, "app")
                .withProperties(Map.of("delta.logRetentionDuration", "interval 1 days")));
    List<Row> rows = new ArrayList<>();
    for (long epoch = 1; epoch <= 12; epoch++) {
      rows.add(Row.of(epoch, "e", "DE"));
      committer.commit(epoch, write(table, List.of(), List.of(rows.get(rows.size() - 1))), false);
    }
    try (Stream<Path> files = Files.list(log)) {
      for (Path p : files.toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
      }
    }

    DeltaLogMaintenance.Result dry = DeltaLogMaintenance.run(table, true, conf);
    assertThat(dry)
        .isEqualTo(
            new DeltaLogMaintenance.Result(
                OptionalLong.of(11), 0, Optional.of(Duration.ofDays(1)), true));
    assertThat(log.resolve("00000000000000000011.checkpoint.parquet")).doesNotExist();

    DeltaLogMaintenance.Result result = DeltaLogMaintenance.run(table, false, conf);

    // commits 0-9 are older than a day and covered by the checkpoint of version 10
    assertThat(result)
        .isEqualTo(
            new DeltaLogMaintenance.Result(
                OptionalLong.of(11), 10, Optional.of(Duration.ofDays(1)), false));
    assertThat(log.resolve("00000000000000000011.checkpoint.parquet")).exists();
    assertThat(log.resolve("00000000000000000009.json")).doesNotExist();
    assertThat(log.resolve("00000000000000000010.json")).exists();
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTestSupport.readWithStandalone(table, TYPE))
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(DeltaTableReader.readAll(table, 10)).hasSize(11);

    assertThat(DeltaLogMaintenance.run(table, false, conf))
        .isEqualTo(
            new DeltaLogMaintenance.Result(
                OptionalLong.empty(), 0, Optional.of(Duration.ofDays(1)), false));
  }

  /**
   * The add and remove actions of one version, read from its commit with Kernel's JSON reader as a
   * streaming reader reads a version: {@code "add <stats> dataChange=<flag>"}, {@code "remove <path>
   * dataChange=<flag>"}.
   */
  private List<String> actions(String table, long version) throws Exception {
    StructType schema =
        new StructType()
            .add(
                "add",
                new StructType()
                    .add("path", StringType.STRING)
                    .add("dataChange", BooleanType.BOOLEAN)
                    .add("stats", StringType.STRING))
            .add(
                "remove",
                new StructType()
                    .add("path", StringType.STRING)
                    .add("dataChange", BooleanType.BOOLEAN));
    String file = table + "/_delta_log/" + String.format("%020d.json", version);
    List<String> actions = new ArrayList<>();
    try (CloseableIterator<ColumnarBatch> batches =
        engine
            .getJsonHandler()
            .readJsonFiles(
                KernelIterators.of(
                    List.of(io.delta.kernel.utils.FileStatus.of(file, Files.size(Path.of(file)), 0))
                        .iterator()),
                schema,
                Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        for (int i = 0; i < batch.getSize(); i++) {
          ColumnVector add = batch.getColumnVector(0);
          ColumnVector remove = batch.getColumnVector(1);
          if (!add.isNullAt(i)) {
            actions.add(
                "add "
                    + add.getChild(2).getString(i)
                    + " dataChange="
                    + add.getChild(1).getBoolean(i));
          } else if (!remove.isNullAt(i)) {
            actions.add(
                "remove "
                    + remove.getChild(0).getString(i)
                    + " dataChange="
                    + remove.getChild(1).getBoolean(i));
          }
        }
      }
    }
    return actions;
  }

  private static long countFiles(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
