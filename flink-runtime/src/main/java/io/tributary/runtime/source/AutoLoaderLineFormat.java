package io.tributary.runtime.source;

import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * The line formats (JSON lines, CSV, text) of one file as a Flink {@link StreamFormat}. Its checkpointed
 * position is the byte offset after the last record returned, so a restored reader resumes exactly
 * there; it gets there by scanning lines from the start of the file without parsing them, which keeps
 * line numbers (for errors and {@code _corrupt_record}) and a CSV header right, and works for
 * compressed files where a seek is not possible. Bound to one file because {@code StreamFormat} is
 * not told the path, and rescued data must name it.
 */
final class AutoLoaderLineFormat implements StreamFormat<RowData> {

  private static final long serialVersionUID = 1L;

  private final AutoLoaderOptions options;
  private final RowType producedType;
  private final String sourceId;
  private final String filePath;
  private final HadoopSettings hadoop;

  /** {@code hadoop}: the pipeline's settings, with which an evolved schema is stored. */
  AutoLoaderLineFormat(
      AutoLoaderOptions options,
      RowType producedType,
      String sourceId,
      String filePath,
      HadoopSettings hadoop) {
    this.hadoop = java.util.Objects.requireNonNull(hadoop, "hadoop");
    this.options = options;
    this.producedType = producedType;
    this.sourceId = sourceId;
    this.filePath = filePath;
  }

  @Override
  public StreamFormat.Reader<RowData> createReader(
      Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) {
    return new LineRecordReader(
        stream, LineParser.create(options, producedType, sourceId, filePath, hadoop));
  }

  @Override
  public StreamFormat.Reader<RowData> restoreReader(
      Configuration config,
      FSDataInputStream stream,
      long restoredOffset,
      long fileLen,
      long splitEnd)
      throws IOException {
    LineRecordReader reader =
        new LineRecordReader(
            stream, LineParser.create(options, producedType, sourceId, filePath, hadoop));
    reader.skipTo(restoredOffset);
    return reader;
  }

  /**
   * The 1-based line of a record read earlier, found by reading the file again as a restored reader
   * does: from byte {@code offset}, {@code skip} records, then the {@code record}-th (from 1). For an
   * error message only (a row that failed downstream), so on the failure path and never per record;
   * Auto Loader's files are immutable, so the same bytes give the same records.
   */
  long lineOfRecord(long offset, long skip, long record) throws IOException {
    org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(filePath);
    FSDataInputStream stream = path.getFileSystem().open(path);
    var decompressor =
        org.apache.flink.connector.file.src.compression.StandardDeCompressors
            .getDecompressorForFileName(path.getPath());
    try (java.io.InputStream in = decompressor == null ? stream : decompressor.create(stream)) {
      LineReader lines = new LineReader(in);
      LineParser parser = LineParser.create(options, producedType, sourceId, filePath, hadoop);
      while (lines.offset() < offset) {
        byte[] line = lines.next();
        if (line == null) {
          throw new IOException("the file ends before byte " + offset);
        }
        parser.skip(line, lines.lineNumber());
      }
      long wanted = skip + record;
      long seen = 0;
      byte[] line;
      while ((line = lines.next()) != null) {
        if (parser.parse(line, lines.lineNumber()) != null && ++seen == wanted) {
          return lines.lineNumber();
        }
      }
      throw new IOException(
          "the file has " + seen + " records after byte " + offset + ", not " + wanted);
    } finally {
      stream.close();
    }
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(producedType);
  }

  /** Reads records line by line and reports the offset after the last one. */
  private final class LineRecordReader implements StreamFormat.Reader<RowData> {
    private final FSDataInputStream stream;
    private final LineReader lines;
    private final LineParser parser;

    LineRecordReader(FSDataInputStream stream, LineParser parser) {
      this.stream = stream;
      this.lines = new LineReader(stream);
      this.parser = parser;
    }

    void skipTo(long target) throws IOException {
      while (lines.offset() < target) {
        byte[] line = lines.next();
        if (line == null) {
          throw new IOException(
              "Auto Loader source '"
                  + sourceId
                  + "': file "
                  + filePath
                  + " ends at byte "
                  + lines.offset()
                  + ", before the restored position "
                  + target
                  + ": it changed after it was read. "
                  + "Auto Loader expects files to be immutable: write new files instead of changing old ones.");
        }
        parser.skip(line, lines.lineNumber());
      }
      if (lines.offset() != target) {
        throw new IOException(
            "Auto Loader source '"
                + sourceId
                + "': file "
                + filePath
                + " has no line start at "
                + "the restored position "
                + target
                + ": it changed after it was read. Auto Loader expects files "
                + "to be immutable: write new files instead of changing old ones.");
      }
    }

    @Override
    public RowData read() throws IOException {
      byte[] line;
      while ((line = lines.next()) != null) {
        RowData row = parser.parse(line, lines.lineNumber());
        if (row != null) {
          return row;
        }
      }
      parser.finishFile();
      return null;
    }

    @Override
    public CheckpointedPosition getCheckpointedPosition() {
      return new CheckpointedPosition(lines.offset(), 0);
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }
}
