package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Reading Delta snapshots in Flink jobs: bounded, at a version, and unbounded-but-idle. */
class DeltaSnapshotSourceITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final RowType TABLE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("country", DataTypes.STRING()),
                  DataTypes.FIELD("day", DataTypes.DATE()),
                  DataTypes.FIELD("score", DataTypes.DOUBLE()))
              .notNull()
              .getLogicalType();

  /** A projection in another order, with a partition column. */
  static final RowType READ =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("country", DataTypes.STRING()),
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()))
              .notNull()
              .getLogicalType();

  static final ConcurrentLinkedQueue<String> SEEN = new ConcurrentLinkedQueue<>();

  @TempDir Path dir;

  private String table;

  /** Version 0: ids 0..29 in three commits' worth of files; version 1 overwrites with ids 100..104. */
  private void writeTable() throws Exception {
    table = dir.resolve("t").toString();
    DeltaWriteSpec spec =
        DeltaWriteSpec.append(table, TABLE, "src-test").withPartitionColumns(List.of("country"));
    List<DeltaDataFile> files = new ArrayList<>();
    for (int writer = 0; writer < 3; writer++) {
      try (DeltaFileWriter w =
          new DeltaFileWriter(
              table, TABLE, List.of("country"), 1 << 20, new Configuration(), writer)) {
        for (long id = writer * 10; id < writer * 10 + 10; id++) {
          w.write(
              DeltaTestSupport.internal(
                  TABLE,
                  Row.of(id, id % 2 == 0 ? "FR" : "DE", LocalDate.of(2024, 1, 1), id / 2.0)));
        }
        files.addAll(w.closeAll());
      }
    }
    new DeltaTableCommitter(DefaultEngine.create(new Configuration()), spec)
        .commit(1, files, false);
  }

  private void overwriteTable() throws Exception {
    DeltaWriteSpec spec =
        new DeltaWriteSpec(
            table,
            TABLE,
            DeltaWriteSpec.WriteMode.OVERWRITE,
            "src-ow",
            1,
            List.of("country"),
            java.util.Optional.empty(),
            java.util.Map.of());
    List<DeltaDataFile> files;
    try (DeltaFileWriter w =
        new DeltaFileWriter(table, TABLE, List.of("country"), 1 << 20, new Configuration(), 9)) {
      for (long id = 100; id < 105; id++) {
        w.write(DeltaTestSupport.internal(TABLE, Row.of(id, "IT", null, null)));
      }
      files = w.closeAll();
    }
    new DeltaTableCommitter(DefaultEngine.create(new Configuration()), spec).commit(1, files, true);
  }

  private static List<String> expected(long from, long to) {
    List<String> rows = new ArrayList<>();
    for (long id = from; id < to; id++) {
      rows.add((id >= 100 ? "IT" : id % 2 == 0 ? "FR" : "DE") + "," + id);
    }
    return rows;
  }

  private static String text(RowData row) {
    return row.getString(0) + "," + row.getLong(1);
  }

  private List<String> readBounded(DeltaSnapshotSource source) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    List<String> rows = new ArrayList<>();
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "delta")
        .map(DeltaSnapshotSourceITCase::text)
        .returns(Types.STRING)
        .executeAndCollect()
        .forEachRemaining(rows::add);
    return rows;
  }

  @Test
  void aBoundedSourceReadsTheLatestSnapshotWithTheRequestedColumns() throws Exception {
    writeTable();
    assertThat(readBounded(DeltaSnapshotSource.bounded(table, READ)))
        .containsExactlyInAnyOrderElementsOf(expected(0, 30));
    overwriteTable();
    assertThat(readBounded(DeltaSnapshotSource.bounded(table, READ)))
        .containsExactlyInAnyOrderElementsOf(expected(100, 105));
    assertThat(readBounded(DeltaSnapshotSource.bounded(table, READ).atVersion(0)))
        .containsExactlyInAnyOrderElementsOf(expected(0, 30));
  }

  /** Remembers what it sees in {@link #SEEN} (the job runs in this JVM). */
  static final class Remember implements org.apache.flink.api.connector.sink2.Sink<String> {
    @Override
    public org.apache.flink.api.connector.sink2.SinkWriter<String> createWriter(
        org.apache.flink.api.connector.sink2.WriterInitContext context) {
      return new org.apache.flink.api.connector.sink2.SinkWriter<>() {
        @Override
        public void write(String element, Context ctx) {
          SEEN.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void anUnboundedSourceReadsTheSnapshotAndThenIdlesWithoutFinishing() throws Exception {
    writeTable();
    SEEN.clear();
    StreamExecutionEnvironment job = StreamExecutionEnvironment.getExecutionEnvironment();
    job.setParallelism(2);
    job.enableCheckpointing(200);
    job.fromSource(
            DeltaSnapshotSource.unbounded(table, READ), WatermarkStrategy.noWatermarks(), "delta")
        .map(DeltaSnapshotSourceITCase::text)
        .returns(Types.STRING)
        .sinkTo(new Remember());
    JobClient client = job.executeAsync("unbounded snapshot");
    long deadline = System.currentTimeMillis() + 20_000;
    while (SEEN.size() < 30 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(1000);
    assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    client.cancel().get();
    assertThat(new ArrayList<>(SEEN)).containsExactlyInAnyOrderElementsOf(expected(0, 30));
  }
}
