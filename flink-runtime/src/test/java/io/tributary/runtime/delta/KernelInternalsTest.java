package io.tributary.runtime.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.Scan;
import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.BucketKeys;
import io.tributary.runtime.delta.write.DeletionVectorStore;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins every Kernel internal API Tributary uses ({@link KernelInternals}). If this fails after a
 * Kernel upgrade, overwrites or snapshot reads are broken: fix {@link KernelInternals}, nothing else.
 */
class KernelInternalsTest {

  @TempDir Path dir;

  @Test
  void internalApisStillBehaveAsTributaryNeeds() throws Exception {
    Configuration conf = new Configuration();
    Engine engine = DefaultEngine.create(conf);
    String table = dir.resolve("t").toString();
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT()),
                    DataTypes.FIELD("p", DataTypes.STRING()))
                .getLogicalType();
    DeltaWriteSpec spec =
        DeltaWriteSpec.append(table, type, "app").withPartitionColumns(List.of("p"));
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(table, type, List.of("p"), 1 << 20, conf, 0)) {
      writer.write(DeltaTestSupport.internal(type, org.apache.flink.types.Row.of(1, "x")));
      files = writer.closeAll();
    }
    new DeltaTableCommitter(engine, spec).commit(1, files, false);

    Scan scan = Table.forPath(engine, table).getLatestSnapshot(engine).getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    Row scanFile;
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine);
        CloseableIterator<Row> rows = batches.next().getRows()) {
      scanFile = rows.next();
    }

    FileStatus status = KernelInternals.dataFile(scanFile);
    assertThat(status.getPath()).isEqualTo(files.get(0).path());
    assertThat(status.getSize()).isEqualTo(files.get(0).size());

    assertThat(KernelInternals.physicalReadSchema(scanState).fieldNames()).containsExactly("id");

    // a scan file row built from the add action names the same file, partition values and vector
    Row add = scanFile.getStruct(scanFile.getSchema().indexOf("add"));
    Row rebuilt =
        KernelInternals.scanFileRow(
            scanState,
            new DeltaAddFile(
                add.getString(add.getSchema().indexOf("path")),
                status.getSize(),
                status.getModificationTime(),
                KernelInternals.partitionValues(scanFile),
                KernelInternals.deletionVector(scanFile)));
    assertThat(KernelInternals.dataFile(rebuilt).getPath()).isEqualTo(status.getPath());
    assertThat(KernelInternals.partitionValues(rebuilt)).isEqualTo(java.util.Map.of("p", "x"));
    assertThat(KernelInternals.deletionVector(rebuilt)).isNull();
    DeltaDeletionVector dv = new DeltaDeletionVector("u", "vector", 1, 34, 2);
    Row withDv =
        KernelInternals.scanFileRow(
            scanState, new DeltaAddFile("p=x/f.parquet", 1, 2, java.util.Map.of(), dv));
    assertThat(KernelInternals.deletionVector(withDv)).isEqualTo(dv);

    Row remove = KernelInternals.removeAction(scanFile, 1234L);
    Row removeStruct = remove.getStruct(remove.getSchema().indexOf("remove"));
    assertThat(remove.isNullAt(remove.getSchema().indexOf("add"))).isTrue();
    assertThat(removeStruct.getString(removeStruct.getSchema().indexOf("path")))
        .isEqualTo(files.get(0).path().substring(files.get(0).path().lastIndexOf("/p=") + 1));
    assertThat(removeStruct.getBoolean(removeStruct.getSchema().indexOf("dataChange"))).isTrue();
    assertThat(removeStruct.getLong(removeStruct.getSchema().indexOf("deletionTimestamp")))
        .isEqualTo(1234L);
    assertThat(removeStruct.getLong(removeStruct.getSchema().indexOf("size")))
        .isEqualTo(files.get(0).size());

    // and Kernel accepts the remove in a commit: the table is empty afterwards
    new DeltaTableCommitter(
            engine,
            DeltaWriteSpec.overwrite(table, type, "ow", 1).withPartitionColumns(List.of("p")))
        .commit(1, List.of(), true);
    assertThat(DeltaTableReader.readAll(table)).isEmpty();
    assertThat(DeltaTableReader.readAll(table, 0))
        .containsExactly(org.apache.flink.types.Row.of(1, "x"));
  }

  @Test
  void replaceSchemaMakesTheTransactionCommitTheNewSchemaAndUseItForItsFiles() throws Exception {
    Configuration conf = new Configuration();
    Engine engine = DefaultEngine.create(conf);
    String table = dir.resolve("evolving").toString();
    RowType v1 = (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.INT())).getLogicalType();
    RowType v2 =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT()),
                    DataTypes.FIELD("extra", DataTypes.STRING()))
                .getLogicalType();
    new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, v1, "app")).ensureTable();

    io.delta.kernel.Transaction txn =
        Table.forPath(engine, table)
            .createTransactionBuilder(engine, "test", io.delta.kernel.Operation.WRITE)
            .build(engine);
    KernelInternals.replaceSchema(txn, DeltaTypes.toStructType(v2));
    assertThat(txn.getSchema(engine)).isEqualTo(DeltaTypes.toStructType(v2));
    assertThat(
            io.delta.kernel.Transaction.getWriteContext(
                    engine, txn.getTransactionState(engine), java.util.Map.of())
                .getStatisticsColumns())
        .hasSize(2);
    txn.commit(engine, io.delta.kernel.utils.CloseableIterable.emptyIterable());

    assertThat(Table.forPath(engine, table).getLatestSnapshot(engine).getSchema())
        .isEqualTo(DeltaTypes.toStructType(v2));
    assertThat(DeltaTableReader.version(table)).isEqualTo(1);
  }

  @Test
  void removeActionsOfBucketFilesKeepTheBucketDirectoryAndKernelCommitsThem() throws Exception {
    Configuration conf = new Configuration();
    Engine engine = DefaultEngine.create(conf);
    String table = dir.resolve("keyed").toString();
    RowType type =
        (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
    DeltaWriteSpec spec = DeltaWriteSpec.upsert(table, type, "app", List.of("id"));
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(3), type, List.of(), 1 << 20, conf, 0)) {
      writer.write(DeltaTestSupport.internal(type, org.apache.flink.types.Row.of(7L)));
      files = writer.closeAll();
    }
    DeltaTableCommitter committer = new DeltaTableCommitter(engine, spec);
    committer.commitChanges(1, List.of(), files);

    Scan scan = Table.forPath(engine, table).getLatestSnapshot(engine).getScanBuilder().build();
    Row scanFile;
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine);
        CloseableIterator<Row> rows = batches.next().getRows()) {
      scanFile = rows.next();
    }
    assertThat(KernelInternals.dataFile(scanFile).getPath()).isEqualTo(files.get(0).path());
    Row remove = KernelInternals.removeAction(scanFile, 99L);
    Row removeStruct = remove.getStruct(remove.getSchema().indexOf("remove"));
    String relative =
        files.get(0).path().substring(files.get(0).path().lastIndexOf("/bucket=") + 1);
    assertThat(relative).startsWith("bucket=00003/");
    assertThat(removeStruct.getString(removeStruct.getSchema().indexOf("path")))
        .isEqualTo(relative);

    // the bucket rewrite path: remove by the snapshot's own add, in a commit with no Kernel retry
    committer.commitChanges(2, files, List.of());
    assertThat(DeltaTableReader.readAll(table)).isEmpty();
    assertThat(DeltaTableReader.readAll(table, 0))
        .containsExactly(org.apache.flink.types.Row.of(7L));
  }

  @Test
  void changesNameEachCommitsAddsRemovesAndMetadataWithTheirDataChangeFlags() throws Exception {
    RowType type =
        (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
    UpstreamDeltaTable table = new UpstreamDeltaTable(dir.resolve("log").toString(), type);
    long appended = table.append(org.apache.flink.types.Row.of(1L));
    long overwritten = table.overwrite(org.apache.flink.types.Row.of(2L));
    long compacted = table.compact();

    List<String> actions = new java.util.ArrayList<>();
    try (CloseableIterator<io.delta.kernel.data.ColumnarBatch> batches =
        KernelInternals.changes(DeltaTableReader.engine(), table.path(), appended, compacted)) {
      while (batches.hasNext()) {
        io.delta.kernel.data.ColumnarBatch batch = batches.next();
        assertThat(batch.getSchema().fieldNames())
            .containsExactlyInAnyOrder("version", "timestamp", "add", "remove", "metaData");
        try (CloseableIterator<Row> rows = batch.getRows()) {
          while (rows.hasNext()) {
            Row row = rows.next();
            for (String action : List.of("add", "remove", "metaData")) {
              int index = row.getSchema().indexOf(action);
              if (!row.isNullAt(index)) {
                Row struct = row.getStruct(index);
                int dataChange = struct.getSchema().indexOf("dataChange");
                actions.add(
                    row.getLong(0)
                        + " "
                        + action
                        + (dataChange < 0 ? "" : " dataChange=" + struct.getBoolean(dataChange)));
              }
            }
          }
        }
      }
    }
    assertThat(actions)
        .containsExactlyInAnyOrder(
            appended + " metaData", appended + " add dataChange=true",
            overwritten + " remove dataChange=true", overwritten + " add dataChange=true",
            compacted + " remove dataChange=false", compacted + " add dataChange=false");
  }

  @Test
  void rewriteActionsAndRetentionSettingsStillBehaveAsMaintenanceNeeds() throws Exception {
    Configuration conf = new Configuration();
    Engine engine = DefaultEngine.create(conf);
    String table = dir.resolve("m").toString();
    RowType type =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT()),
                    DataTypes.FIELD("p", DataTypes.STRING()))
                .getLogicalType();
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(table, type, List.of("p"), 1 << 20, conf, 0)) {
      writer.write(DeltaTestSupport.internal(type, org.apache.flink.types.Row.of(1, "x")));
      files = writer.closeAll();
    }
    new DeltaTableCommitter(
            engine, DeltaWriteSpec.append(table, type, "app").withPartitionColumns(List.of("p")))
        .commit(1, files, false);
    Scan scan = Table.forPath(engine, table).getLatestSnapshot(engine).getScanBuilder().build();
    Row scanFile;
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine);
        CloseableIterator<Row> rows = batches.next().getRows()) {
      scanFile = rows.next();
    }
    assertThat(KernelInternals.partitionValues(scanFile)).isEqualTo(java.util.Map.of("p", "x"));

    Row remove = KernelInternals.removeAction(scanFile, 5L, false);
    Row removeStruct = remove.getStruct(remove.getSchema().indexOf("remove"));
    assertThat(removeStruct.getBoolean(removeStruct.getSchema().indexOf("dataChange"))).isFalse();

    Row add = scanFile.getStruct(scanFile.getSchema().indexOf("add"));
    Row rewritten =
        KernelInternals.withoutDataChange(
            io.delta.kernel.internal.actions.SingleAction.createAddFileSingleAction(add));
    Row addStruct = rewritten.getStruct(rewritten.getSchema().indexOf("add"));
    assertThat(addStruct.getBoolean(addStruct.getSchema().indexOf("dataChange"))).isFalse();
    assertThat(addStruct.getString(addStruct.getSchema().indexOf("path")))
        .isEqualTo(add.getString(add.getSchema().indexOf("path")));

    assertThat(KernelInternals.deletedFileRetention(java.util.Map.of()))
        .isEqualTo(java.time.Duration.ofDays(7));
    assertThat(
            KernelInternals.deletedFileRetention(
                java.util.Map.of("delta.deletedFileRetentionDuration", "interval 36 hours")))
        .isEqualTo(java.time.Duration.ofHours(36));
    assertThat(KernelInternals.logRetention(java.util.Map.of()))
        .isEqualTo(java.time.Duration.ofDays(30));
    assertThat(KernelInternals.expiredLogCleanupEnabled(java.util.Map.of())).isTrue();
    assertThat(
            KernelInternals.expiredLogCleanupEnabled(
                java.util.Map.of("delta.enableExpiredLogCleanup", "false")))
        .isFalse();
    // nothing is older than 30 days: the cleanup runs and deletes nothing
    assertThat(
            KernelInternals.cleanupExpiredLogs(
                engine,
                Table.forPath(engine, table).getPath(engine),
                java.time.Duration.ofDays(30)))
        .isZero();
  }

  @Test
  void deletionVectorHelpersWriteReadAndRemoveFilesWithVectors() throws Exception {
    java.util.UUID uuid = java.util.UUID.fromString("0c6cbaaf-5e04-4c9d-8959-1088814f58ef");
    String encoded = KernelInternals.encodeUuid(uuid);
    assertThat(encoded).hasSize(20);
    assertThat(KernelInternals.decodeUuid(encoded)).isEqualTo(uuid);
    byte[] inline = DeletionVectorStore.serialize(org.roaringbitmap.RoaringBitmap.bitmapOf(2, 5));
    String inlineText = io.delta.kernel.internal.deletionvectors.Base85Codec.encodeBytes(inline);
    assertThat(KernelInternals.decodeInlineDeletionVector(inlineText, inline.length))
        .isEqualTo(inline);

    Configuration conf = new Configuration();
    Engine engine = DefaultEngine.create(conf);
    String table = dir.resolve("dv").toString();
    RowType type =
        (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
    DeltaWriteSpec spec = DeltaWriteSpec.upsert(table, type, "app", List.of("id"));
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table + "/" + BucketKeys.directory(1), type, List.of(), 1 << 20, conf, 0)) {
      for (long id = 0; id < 4; id++) {
        writer.write(DeltaTestSupport.internal(type, org.apache.flink.types.Row.of(id)));
      }
      files = writer.closeAll();
    }
    DeltaTableCommitter committer = new DeltaTableCommitter(engine, spec);
    committer.commitChanges(1, List.of(), files);
    DeltaDeletionVector dv = new DeltaDeletionVector("u", encoded, 1, 34, 2);
    DeltaDataFile file = files.get(0);

    Row add =
        KernelInternals.addWithDeletionVector(
            DeltaPaths.qualified(table, conf).toUri(),
            DeltaTypes.toStructType(type),
            file.path(),
            file.size(),
            file.modificationTime(),
            new io.delta.kernel.statistics.DataFileStatistics(
                4,
                java.util.Map.of(),
                java.util.Map.of(),
                java.util.Map.of(),
                java.util.Optional.empty()),
            dv);
    Row addStruct = add.getStruct(add.getSchema().indexOf("add"));
    assertThat(addStruct.getString(addStruct.getSchema().indexOf("path")))
        .isEqualTo(file.path().substring(file.path().lastIndexOf("/bucket=") + 1));
    assertThat(addStruct.getString(addStruct.getSchema().indexOf("stats")))
        .isEqualTo(
            "{\"numRecords\":4,\"minValues\":{},\"maxValues\":{},\"nullCount\":{},\"tightBounds\":false}");
    Row dvStruct = addStruct.getStruct(addStruct.getSchema().indexOf("deletionVector"));
    assertThat(dvStruct.getString(dvStruct.getSchema().indexOf("pathOrInlineDv")))
        .isEqualTo(encoded);
    assertThat(dvStruct.getLong(dvStruct.getSchema().indexOf("cardinality"))).isEqualTo(2);

    // the scan file row of a file with a vector gives the vector back, and its remove carries it
    DeltaDeletionVector written;
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(DeltaPaths.qualified(table, conf), conf)) {
      written = writer.add(org.roaringbitmap.RoaringBitmap.bitmapOf(0, 3));
    }
    committer.commitChanges(
        2,
        List.of(file),
        List.of(
            new DeltaDataFile(
                file.path(),
                file.size(),
                file.modificationTime(),
                4,
                java.util.Map.of(),
                file.statsJson(),
                written)));
    Scan scan = Table.forPath(engine, table).getLatestSnapshot(engine).getScanBuilder().build();
    Row scanFile;
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine);
        CloseableIterator<Row> rows = batches.next().getRows()) {
      scanFile = rows.next();
    }
    assertThat(KernelInternals.deletionVector(scanFile)).isEqualTo(written);
    Row remove = KernelInternals.removeAction(scanFile, 5L);
    Row removeStruct = remove.getStruct(remove.getSchema().indexOf("remove"));
    Row removedDv = removeStruct.getStruct(removeStruct.getSchema().indexOf("deletionVector"));
    assertThat(removedDv.getString(removedDv.getSchema().indexOf("pathOrInlineDv")))
        .isEqualTo(written.pathOrInlineDv());
    assertThat(DeltaTableReader.readAll(table))
        .containsExactlyInAnyOrder(
            org.apache.flink.types.Row.of(1L), org.apache.flink.types.Row.of(2L));
  }
}
