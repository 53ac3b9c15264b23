package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot reader's checkpoint: a restored split resumes after the rows already emitted. */
@SuppressWarnings("try")
class DeltaSnapshotReaderTest {

  static final RowType TYPE =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();

  @TempDir Path dir;

  /** A reader context that counts split requests (the micro-benchmarks use it too). */
  static final class Context implements SourceReaderContext {
    final AtomicInteger requests = new AtomicInteger();

    @Override
    public SourceReaderMetricGroup metricGroup() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Configuration getConfiguration() {
      return new Configuration();
    }

    @Override
    public String getLocalHostName() {
      return "localhost";
    }

    @Override
    public int getIndexOfSubtask() {
      return 0;
    }

    @Override
    public void sendSplitRequest() {
      requests.incrementAndGet();
    }

    @Override
    public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      throw new UnsupportedOperationException();
    }
  }

  /** An output that keeps the rows read, and their ids (first column, a BIGINT). */
  static final class Output implements ReaderOutput<RowData> {
    final List<Long> ids = new ArrayList<>();
    final List<String> rows = new ArrayList<>();
    boolean idle;

    @Override
    public void collect(RowData record) {
      ids.add(record.getLong(0));
      rows.add(record.toString());
      idle = false;
    }

    @Override
    public void collect(RowData record, long timestamp) {
      collect(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {}

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {}

    @Override
    public SourceOutput<RowData> createOutputForSplit(String splitId) {
      return this;
    }

    @Override
    public void releaseOutputForSplit(String splitId) {}
  }

  @Test
  void aRestoredSplitSkipsTheRowsEmittedBeforeTheCheckpointAndAnIdleReaderSaysSo()
      throws Exception {
    String table = dir.resolve("t").toString();
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table, TYPE, List.of(), 1 << 20, new org.apache.hadoop.conf.Configuration(), 0)) {
      for (long id = 0; id < 10; id++) {
        writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
      }
      files = writer.closeAll();
    }
    new DeltaTableCommitter(
            DefaultEngine.create(new org.apache.hadoop.conf.Configuration()),
            DeltaWriteSpec.append(table, TYPE, "app"))
        .commit(1, files, false);
    DeltaFileSplit split = new DeltaFileSplit(table, 0, files.get(0).path(), 0);

    Context context = new Context();
    Output output = new Output();
    List<DeltaFileSplit> state;
    try (DeltaSnapshotReader reader = new DeltaSnapshotReader(context, TYPE)) {
      reader.start();
      reader.addSplits(List.of(split));
      for (int i = 0; i < 5; i++) { // opens the split, then emits four rows
        reader.pollNext(output);
      }
      state = reader.snapshotState(1);
    }
    assertThat(output.ids).containsExactly(0L, 1L, 2L, 3L);
    assertThat(state).containsExactly(split.skipping(4));

    Output restoredOutput = new Output();
    try (DeltaSnapshotReader restored = new DeltaSnapshotReader(context, TYPE)) {
      restored.addSplits(state);
      InputStatus status;
      do {
        status = restored.pollNext(restoredOutput);
      } while (status == InputStatus.MORE_AVAILABLE);
      assertThat(status).isEqualTo(InputStatus.NOTHING_AVAILABLE);
      assertThat(restoredOutput.idle).isTrue();
      assertThat(restored.isAvailable()).isNotDone();
      restored.notifyNoMoreSplits();
      assertThat(restored.isAvailable()).isDone();
      assertThat(restored.pollNext(restoredOutput)).isEqualTo(InputStatus.END_OF_INPUT);
    }
    assertThat(restoredOutput.ids).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void tablePathsMayBeLocalPathsOrFileUris() throws Exception {
    String plain = dir.resolve("u").toString();
    String uri = dir.resolve("u").toUri().toString();
    assertThat(uri).startsWith("file:/");
    List<DeltaDataFile> files;
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            uri, TYPE, List.of(), 1 << 20, new org.apache.hadoop.conf.Configuration(), 0)) {
      writer.write(DeltaTestSupport.internal(TYPE, Row.of(7L)));
      files = writer.closeAll();
    }
    new DeltaTableCommitter(
            DefaultEngine.create(new org.apache.hadoop.conf.Configuration()),
            DeltaWriteSpec.append(uri, TYPE, "app"))
        .commit(1, files, false);
    assertThat(DeltaTableReader.readAll(plain)).containsExactly(Row.of(7L));
    assertThat(DeltaTableReader.readAll(uri)).containsExactly(Row.of(7L));
  }
}
