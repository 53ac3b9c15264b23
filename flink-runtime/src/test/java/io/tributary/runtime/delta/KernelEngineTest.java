package io.tributary.runtime.delta;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.CheckpointAlreadyExistsException;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log checkpoint is in a table's {@code _delta_log} whole or not at all: Flink cancels a committer's
 * task by interrupting its thread, and a checkpoint whose write stops midway must not leave a file
 * that every later reader takes for the table's latest checkpoint.
 */
class KernelEngineTest {

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final Engine engine = KernelEngine.create(conf);

  /** A table of three commits, one row each. */
  private List<Row> table(String path) throws Exception {
    DeltaTableCommitter committer =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(path, TYPE, "app"));
    List<Row> rows = new ArrayList<>();
    for (long epoch = 1; epoch <= 3; epoch++) {
      Row row = Row.of(epoch, "row " + epoch);
      rows.add(row);
      try (DeltaFileWriter writer = new DeltaFileWriter(path, TYPE, List.of(), 1 << 20, conf, 0)) {
        writer.write(internal(TYPE, row));
        committer.commit(epoch, writer.closeAll(), false);
      }
    }
    return rows;
  }

  private List<String> logFiles(String path) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(path, "_delta_log"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** A batch of the table's rows as Kernel reads them from one of its data files. */
  private FilteredColumnarBatch aBatchOf(String path) throws Exception {
    Path dataFile;
    try (Stream<Path> files = Files.list(Path.of(path))) {
      dataFile = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    FileStatus status = FileStatus.of(dataFile.toUri().toString(), Files.size(dataFile), 0L);
    StructType schema = new StructType().add("id", LongType.LONG).add("name", StringType.STRING);
    try (CloseableIterator<FileReadResult> read =
        engine
            .getParquetHandler()
            .readParquetFiles(
                KernelIterators.of(List.of(status).iterator()), schema, Optional.empty())) {
      assertThat(read.hasNext()).isTrue();
      return new FilteredColumnarBatch(read.next().getData(), Optional.empty());
    }
  }

  /** One batch, then the failure of whatever produces the rest (an interrupted read of the log). */
  private static CloseableIterator<FilteredColumnarBatch> failingAfter(
      FilteredColumnarBatch batch) {
    return new CloseableIterator<>() {
      private boolean given;

      @Override
      public boolean hasNext() {
        if (given) {
          throw new UncheckedIOException(new ClosedByInterruptException());
        }
        return true;
      }

      @Override
      public FilteredColumnarBatch next() {
        given = true;
        return batch;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aCheckpointWhoseWriteFailsMidwayLeavesNoFileAndTheTableReadable() throws Exception {
    String path = dir.resolve("t").toString();
    List<Row> rows = table(path);
    long version = DeltaTableReader.version(path);
    List<String> before = logFiles(path);
    String checkpoint =
        Path.of(path, "_delta_log", String.format("%020d.checkpoint.parquet", version))
            .toUri()
            .toString();

    FilteredColumnarBatch batch = aBatchOf(path);

    assertThatThrownBy(
            () ->
                engine
                    .getParquetHandler()
                    .writeParquetFileAtomically(checkpoint, failingAfter(batch)))
        .isInstanceOf(ClosedByInterruptException.class);

    assertThat(logFiles(path)).isEqualTo(before);
    assertThat(DeltaTableReader.readAll(path)).containsExactlyInAnyOrderElementsOf(rows);

    Table.forPath(engine, path).checkpoint(engine, version);
    assertThat(logFiles(path))
        .contains(String.format("%020d.checkpoint.parquet", version))
        .noneMatch(f -> f.endsWith(".tmp") || f.endsWith(".tmp.crc"));
    assertThat(DeltaTableReader.readAll(path)).containsExactlyInAnyOrderElementsOf(rows);
    assertThatThrownBy(() -> Table.forPath(engine, path).checkpoint(engine, version))
        .isInstanceOf(CheckpointAlreadyExistsException.class);
  }
}
