package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.utils.CloseableIterator;
import io.tributary.dsl.DeltaSource;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.source.EnumeratorContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream across schema changes: files of versions older than an added column are read with NULL in
 * it (by the log's path of the file, as the stream's splits name it), and a version that changes the
 * type of a column the stream reads stops it, naming the version and column.
 */
class DeltaStreamSchemaTest {

  static final RowType OLD =
      (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
  static final RowType NEW =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("extra", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;

  @Test
  void filesOfVersionsBeforeAnAddedColumnReadItAsNull() throws Throwable {
    String path = dir.resolve("t").toString();
    long v0 = new UpstreamDeltaTable(path, OLD).append(Row.of(1L));
    new UpstreamDeltaTable(path, OLD)
        .withField("{\"name\":\"extra\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}");
    long v2 = new UpstreamDeltaTable(path, NEW).append(Row.of(2L, "x"));

    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        DeltaStreamSource.triggered(
                DeltaSource.path(path).startingVersion(0), NEW, "u1", "t-source")
            .createEnumerator(context);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    for (int i = 0; i < 3; i++) {
      enumerator.handleSplitRequest(0, "localhost");
    }
    List<DeltaFileSplit> splits = context.assigned();
    assertThat(splits).extracting(DeltaFileSplit::version).containsExactly(v0, v2);

    List<RowData> rows = new ArrayList<>();
    for (DeltaFileSplit split : splits) {
      KernelSnapshotScan scan =
          new KernelSnapshotScan(DeltaTableReader.engine(), path, split.version(), NEW, true);
      try (CloseableIterator<RowData> it = scan.read(split.file())) {
        it.forEachRemaining(rows::add);
      }
    }
    assertThat(rows)
        .containsExactly(
            GenericRowData.of(1L, null), GenericRowData.of(2L, StringData.fromString("x")));
  }

  @Test
  void aVersionChangingTheTypeOfAReadColumnStopsTheStream() throws Throwable {
    String path = dir.resolve("t").toString();
    new UpstreamDeltaTable(path, NEW).append(Row.of(1L, "a"));
    long changed =
        new UpstreamDeltaTable(path, NEW)
            .withField(
                "{\"name\":\"extra\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}");

    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        DeltaStreamSource.triggered(
                DeltaSource.path(path).startingVersion(0), NEW, "u1", "t-source")
            .createEnumerator(context);
    enumerator.start();
    assertThatThrownBy(context::runNextOneTimeCallable)
        .hasMessage(
            "Table '"
                + path
                + "': version "
                + changed
                + " has column 'extra' of type INT but the stream reads it as STRING. A stream cannot change a column's"
                + " type: do a full refresh of the tables reading it.");
  }
}
