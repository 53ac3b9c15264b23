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

  /**
   * A reader asks for a split only when it holds none: its enumerator reports the source caught up
   * once every reader has asked, and a triggered update then stops the job. Restored (Flink adds the
   * checkpoint's splits before it starts the reader) with one split half read and one queued, it
   * asks first when it has read both.
   */
  @Test
  void aRestoredReaderAsksForASplitOnlyWhenItHasReadEverySplitItWasGiven() throws Exception {
    String table = dir.resolve("r").toString();
    List<DeltaDataFile> files = new ArrayList<>();
    for (long epoch = 1; epoch <= 2; epoch++) {
      List<DeltaDataFile> written;
      try (DeltaFileWriter writer =
          new DeltaFileWriter(
              table, TYPE, List.of(), 1 << 20, new org.apache.hadoop.conf.Configuration(), 0)) {
        for (long id = epoch * 10; id < epoch * 10 + 3; id++) {
          writer.write(DeltaTestSupport.internal(TYPE, Row.of(id)));
        }
        written = writer.closeAll();
      }
      new DeltaTableCommitter(
              DefaultEngine.create(new org.apache.hadoop.conf.Configuration()),
              DeltaWriteSpec.append(table, TYPE, "app"))
          .commit(epoch, written, false);
      files.addAll(written);
    }
    DeltaFileSplit first = new DeltaFileSplit(table, 1, files.get(0).path(), 0).skipping(1);
    DeltaFileSplit second = new DeltaFileSplit(table, 1, files.get(1).path(), 0);

    Context context = new Context();
    Output output = new Output();
    try (DeltaSnapshotReader reader = new DeltaSnapshotReader(context, TYPE)) {
      reader.addSplits(List.of(first, second));
      reader.start();
      assertThat(context.requests).as("restored with splits: no request at start").hasValue(0);
      InputStatus status;
      do {
        status = reader.pollNext(output);
        if (output.ids.size() < 5) {
          assertThat(context.requests).as("after %s", output.ids).hasValue(0);
        }
      } while (status == InputStatus.MORE_AVAILABLE);
      assertThat(status).isEqualTo(InputStatus.NOTHING_AVAILABLE);
    }
    assertThat(output.ids).containsExactly(11L, 12L, 20L, 21L, 22L);
    assertThat(context.requests).as("one request, once both are read").hasValue(1);

    Context fresh = new Context();
    try (DeltaSnapshotReader reader = new DeltaSnapshotReader(fresh, TYPE)) {
      reader.start();
      assertThat(fresh.requests).as("a reader without splits asks at start").hasValue(1);
    }
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
