package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaTestFiles;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.maintenance.MaintenanceOptions;
import io.tributary.runtime.maintenance.MaintenanceReport;
import io.tributary.runtime.maintenance.TableMaintenance;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary maintain} over a storage with three tables: a streaming table of small files, a
 * materialized table with an aborted epoch's orphan, and a keyed table.
 */
class MaintainCommandTest {

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;
  private Path file;
  private Path root;
  private PipelineStorage storage;
  private Path orphan;

  @BeforeEach
  void storage() throws Exception {
    root = dir.resolve("storage");
    file = dir.resolve("pipeline.yml");
    Files.writeString(file, "name: shop\nstorage: " + root + "\nlibraries:\n  - no.Such\n");
    storage = PipelineStorage.at(root.toString(), new Configuration());
    Engine engine = DefaultEngine.create(new Configuration());

    DeltaTableCommitter raw =
        new DeltaTableCommitter(
            engine,
            DeltaWriteSpec.append(storage.tablePath("events_raw"), TYPE, "shop/events_raw/g1"));
    for (long epoch = 1; epoch <= 3; epoch++) {
      raw.commit(
          epoch,
          DeltaTestFiles.write(storage.tablePath("events_raw"), TYPE, List.of(Row.of(epoch, "e"))),
          false);
    }

    String gold = storage.tablePath("gold");
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(gold, TYPE, "shop/gold/g1", 1))
        .commit(1, DeltaTestFiles.write(gold, TYPE, List.of(Row.of(1L, "old"))), true);
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(gold, TYPE, "shop/gold/g1", 2))
        .commit(2, DeltaTestFiles.write(gold, TYPE, List.of(Row.of(2L, "new"))), true);
    orphan =
        Files.writeString(root.resolve("tables/gold/part-00000-aborted-0.snappy.parquet"), "x");
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(8))));

    String keyed = storage.tablePath("keyed");
    DeltaTableCommitter upserts =
        new DeltaTableCommitter(
            engine, DeltaWriteSpec.upsert(keyed, TYPE, "shop/keyed/g1", List.of("id")));
    upserts.commitChanges(
        1,
        List.of(),
        DeltaTestFiles.write(keyed + "/bucket=00001", TYPE, List.of(Row.of(1L, "k"))));
    upserts.commitChanges(
        2,
        List.of(),
        DeltaTestFiles.write(keyed + "/bucket=00002", TYPE, List.of(Row.of(2L, "k"))));
  }

  @Test
  void maintainCompactsVacuumsAndCheckpointsEveryTableAndPrintsWhatItDid() {
    Result result = run("maintain", file.toString());

    assertThat(result.code).as(result.err).isZero();
    assertThat(sizesHidden(result.out))
        .isEqualTo(
            "Maintenance of pipeline 'shop' (storage "
                + root
                + ")\n"
                + """
        events_raw
          compaction: 3 small files (<size>) rewritten into 1 (<size>): 3 files -> 1 (version 3)
          vacuum: 0 files deleted, freed <size> (retention 168 h)
          log: checkpoint of version 3; 0 expired log files deleted (log retention 720 h)
        gold
          compaction: nothing to compact (1 file)
          vacuum: 1 file deleted, freed <size> (retention 168 h)
          log: checkpoint of version 1; 0 expired log files deleted (log retention 720 h)
        keyed
          compaction: skipped: a keyed table (upserts by key, in bucket=NNNNN/ directories): its writer keeps\
         each bucket's files in Flink state and rewrites whole buckets itself, so it is not compacted
          vacuum: 0 files deleted, freed <size> (retention 168 h)
          log: checkpoint of version 1; 0 expired log files deleted (log retention 720 h)
        """);
    assertThat(orphan).doesNotExist();
    assertThat(DeltaTableReader.readAll(storage.tablePath("events_raw")))
        .containsExactlyInAnyOrder(Row.of(1L, "e"), Row.of(2L, "e"), Row.of(3L, "e"));
    assertThat(DeltaTableReader.readAll(storage.tablePath("gold")))
        .containsExactly(Row.of(2L, "new"));
    assertThat(DeltaTableReader.readAll(storage.tablePath("gold"), 0))
        .containsExactly(Row.of(1L, "old"));
    assertThat(DeltaTableReader.version(storage.tablePath("keyed"))).isEqualTo(1);
  }

  @Test
  void aDryRunListsWhatWouldBeDeletedAndChangesNothing() {
    Result result = run("maintain", file.toString(), "--dry-run", "--tables", "events_raw,gold");

    assertThat(result.code).as(result.err).isZero();
    assertThat(sizesHidden(result.out))
        .isEqualTo(
            "Maintenance of pipeline 'shop' (storage "
                + root
                + "): a dry run, nothing is changed\n"
                + """
        events_raw
          compaction: would rewrite 3 small files (<size>) into about 1: 3 files -> 1
          vacuum: would delete 0 files, freeing <size> (retention 168 h)
          log: would checkpoint version 2; expired log files are not counted in a dry run
        gold
          compaction: nothing to compact (1 file)
          vacuum: would delete 1 file, freeing <size> (retention 168 h)
            part-00000-aborted-0.snappy.parquet
          log: would checkpoint version 1; expired log files are not counted in a dry run
        """);
    assertThat(orphan).exists();
    assertThat(DeltaTableReader.version(storage.tablePath("events_raw"))).isEqualTo(2);
    assertThat(root.resolve("tables/gold/_delta_log/00000000000000000001.checkpoint.parquet"))
        .doesNotExist();
  }

  @Test
  void aRetentionBelowAnHourIsRefusedUnlessForced() {
    Result refused = run("maintain", file.toString(), "--retain-hours", "0");

    assertThat(refused.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(refused.err)
        .startsWith(
            "A VACUUM retention of 0 h is below the safe minimum of 1 h: it could"
                + " delete the files of an epoch still being committed, or files a reader of a recent version is still"
                + " reading. Use a retention of at least 1 h (the default is the table's"
                + " delta.deletedFileRetentionDuration, 7 days unless set), or force it if no update or reader is"
                + " running (tributary maintain --force-retention).\nUsage: tributary maintain");
    assertThat(orphan).exists();

    Result forced =
        run(
            "maintain",
            file.toString(),
            "--retain-hours",
            "0",
            "--force-retention",
            "--tables",
            "gold");
    assertThat(forced.code).as(forced.err).isZero();
    // the file the second overwrite removed goes too: time travel to version 0 is no longer
    // possible
    assertThat(sizesHidden(forced.out))
        .contains("  vacuum: 2 files deleted, freed <size> (retention 0 h)\n");
    assertThat(DeltaTableReader.readAll(storage.tablePath("gold")))
        .containsExactly(Row.of(2L, "new"));
  }

  @Test
  void unknownTablesAreReportedWithTheTablesThereAre() {
    Result result = run("maintain", file.toString(), "--tables", "nope,gold,other");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .startsWith(
            "The pipeline storage "
                + storage.root()
                + " has no table 'nope', 'other'."
                + " Its tables: [events_raw, gold, keyed]. Check the names passed to --tables.\n");
  }

  @Test
  void filesNoCommitReferencesAreKeptWhileAJobHasARetainedCheckpoint() throws Exception {
    Path metadata = root.resolve("_tributary/state/job_a/checkpoints/run-1/chk-4/_metadata");
    Files.createDirectories(metadata.getParent());
    Files.writeString(metadata, "m");

    MaintenanceReport report =
        TableMaintenance.run(storage, MaintenanceOptions.all().withTables(Set.of("gold")));

    assertThat(report.tables())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.vacuum().orElseThrow().deleted()).isEmpty();
              assertThat(t.vacuum().orElseThrow().note())
                  .contains(
                      "1 unreferenced file(s) kept: job(s) [job_a] have a"
                          + " retained checkpoint, whose pending epoch may still commit them; run an update first");
            });
    assertThat(orphan).exists();
  }

  private static String sizesHidden(String text) {
    return text.replaceAll("\\d+(\\.\\d)? (B|KB)\\b", "<size>");
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TributaryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }
}
