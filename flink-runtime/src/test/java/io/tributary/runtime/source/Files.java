package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/** Test helpers: write input files, read them back through the source's format. */
final class Files {

  private Files() {}

  static Path write(Path dir, String name, String text) {
    return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      Path file = dir.resolve(name);
      java.nio.file.Files.createDirectories(file.getParent());
      java.nio.file.Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(String text) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The path as the enumerator names it (and as rescued data reports it). */
  static String flinkPath(Path file) {
    return new org.apache.flink.core.fs.Path(file.toUri()).toString();
  }

  static FileSourceSplit split(Path file) {
    try {
      long length = java.nio.file.Files.size(file);
      return new FileSourceSplit(
          flinkPath(file), new org.apache.flink.core.fs.Path(file.toUri()), 0, length, 0, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AutoLoaderBulkFormat format(AutoLoader spec, RowType type) {
    return new AutoLoaderBulkFormat(AutoLoaderOptions.of(spec), type, "test_source");
  }

  /** Every row of the file, read with a fresh reader. */
  static List<RowData> read(AutoLoader spec, RowType type, Path file) throws IOException {
    return drain(
            format(spec, type).createReader(new Configuration(), split(file)), Integer.MAX_VALUE)
        .rows();
  }

  record Drained(List<RowData> rows, List<CheckpointedPosition> positions) {}

  /** Reads up to {@code max} rows, recording after each the position a checkpoint would store. */
  static Drained drain(BulkFormat.Reader<RowData> reader, int max) throws IOException {
    List<RowData> rows = new ArrayList<>();
    List<CheckpointedPosition> positions = new ArrayList<>();
    try (reader) {
      BulkFormat.RecordIterator<RowData> batch;
      while (rows.size() < max && (batch = reader.readBatch()) != null) {
        RecordAndPosition<RowData> record;
        while (rows.size() < max && (record = batch.next()) != null) {
          rows.add(record.getRecord());
          positions.add(new CheckpointedPosition(record.getOffset(), record.getRecordSkipCount()));
        }
        batch.releaseBatch();
      }
    }
    return new Drained(rows, positions);
  }

  /** Every row after {@code position}, read by a restored reader. */
  static List<RowData> readFrom(
      AutoLoader spec, RowType type, Path file, CheckpointedPosition position) throws IOException {
    FileSourceSplit split = split(file).updateWithCheckpointedPosition(position);
    return drain(format(spec, type).restoreReader(new Configuration(), split), Integer.MAX_VALUE)
        .rows();
  }
}
