package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.formats.parquet.ParquetColumnarRowInputFormat;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BulkFormat} the {@code FileSourceReader} runs: for each split a {@link AutoLoaderLineFormat}
 * bound to the split's file, behind Flink's own {@link StreamFormatAdapter} (batching, checkpointed
 * positions, and transparent decompression of {@code .gz}, {@code .bz2}, {@code .xz}, {@code .deflate}
 * by file extension); for Parquet, Flink's vectorized {@link ParquetColumnarRowInputFormat} with the
 * produced type as its projection. An empty file has no records (the adapter rejects zero-length files), and a file
 * deleted before it is read is logged and skipped instead of failing the job.
 */
final class AutoLoaderBulkFormat implements BulkFormat<RowData, FileSourceSplit> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AutoLoaderBulkFormat.class);

  private final AutoLoaderOptions options;
  private final RowType producedType;

  /** The produced type without the metadata columns: what the file formats read. */
  private final RowType fileType;

  private final boolean metadata;
  private final String sourceId;
  private transient BulkFormat<RowData, FileSourceSplit> parquet;

  /** Rows per Parquet column batch: Flink's default is 2048. */
  private static final int PARQUET_BATCH_ROWS = 2048;

  private final HadoopSettings hadoop;

  AutoLoaderBulkFormat(AutoLoaderOptions options, RowType producedType, String sourceId) {
    this(options, producedType, sourceId, HadoopSettings.none());
  }

  /** With the pipeline's Hadoop settings, through which Parquet files are read. */
  AutoLoaderBulkFormat(
      AutoLoaderOptions options, RowType producedType, String sourceId, HadoopSettings hadoop) {
    this.hadoop = java.util.Objects.requireNonNull(hadoop, "hadoop");
    this.options = options;
    this.producedType = producedType;
    this.metadata = MetadataColumns.present(producedType);
    this.fileType = MetadataColumns.strip(producedType);
    this.sourceId = sourceId;
  }

  @Override
  public BulkFormat.Reader<RowData> createReader(Configuration config, FileSourceSplit split)
      throws IOException {
    if (split.length() == 0) {
      return new NoRecords();
    }
    try {
      return withMetadata(adapter(split).createReader(config, split), split);
    } catch (FileNotFoundException e) {
      return vanished(split, e);
    }
  }

  @Override
  public BulkFormat.Reader<RowData> restoreReader(Configuration config, FileSourceSplit split)
      throws IOException {
    if (split.length() == 0) {
      return new NoRecords();
    }
    try {
      return withMetadata(adapter(split).restoreReader(config, split), split);
    } catch (FileNotFoundException e) {
      return vanished(split, e);
    }
  }

  private BulkFormat<RowData, FileSourceSplit> adapter(FileSourceSplit split) {
    if (options.format() == AutoLoader.Format.PARQUET) {
      return parquet();
    }
    return new StreamFormatAdapter<>(
        new AutoLoaderLineFormat(options, fileType, sourceId, split.path().toString(), hadoop));
  }

  private BulkFormat.Reader<RowData> withMetadata(
      BulkFormat.Reader<RowData> reader, FileSourceSplit split) {
    if (!metadata) {
      return reader;
    }
    RowData values =
        MetadataColumns.values(
            split.path().toString(), split.fileModificationTime(), split.fileSize());
    return new BulkFormat.Reader<>() {
      @Override
      public BulkFormat.RecordIterator<RowData> readBatch() throws IOException {
        BulkFormat.RecordIterator<RowData> batch = reader.readBatch();
        if (batch == null) {
          return null;
        }
        return new BulkFormat.RecordIterator<>() {
          @Override
          public org.apache.flink.connector.file.src.util.RecordAndPosition<RowData> next() {
            var record = batch.next();
            return record == null
                ? null
                : new org.apache.flink.connector.file.src.util.RecordAndPosition<>(
                    new org.apache.flink.table.data.utils.JoinedRowData(record.getRecord(), values),
                    record.getOffset(),
                    record.getRecordSkipCount());
          }

          @Override
          public void releaseBatch() {
            batch.releaseBatch();
          }
        };
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }

  /**
   * Where the {@code record}-th record (from 1) that a reader of {@code split} returned is in its file:
   * {@code "line N"} for the line formats (read again), {@code "record N"} for a Parquet file read from its
   * start, empty when it cannot be told. For an error message, on the failure path only.
   */
  Optional<String> positionOf(FileSourceSplit split, long record) {
    var position = split.getReaderPosition();
    long offset = position.map(p -> p.getOffset()).filter(o -> o >= 0).orElse(0L);
    long skip = position.map(p -> p.getRecordsAfterOffset()).orElse(0L);
    if (options.format() == AutoLoader.Format.PARQUET) {
      return position.isEmpty() ? Optional.of("record " + record) : Optional.empty();
    }
    try {
      return Optional.of(
          "line "
              + new AutoLoaderLineFormat(
                      options, fileType, sourceId, split.path().toString(), hadoop)
                  .lineOfRecord(offset, skip, record));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Auto Loader source '{}': cannot tell the line of record {} of {} for an error message: {}",
          sourceId,
          record,
          split.path(),
          e.toString());
      return Optional.empty();
    }
  }

  String sourceId() {
    return sourceId;
  }

  /** The type of the rows it produces, metadata columns included. */
  RowType producedType() {
    return producedType;
  }

  private BulkFormat<RowData, FileSourceSplit> parquet() {
    if (parquet == null) {
      // Columns missing from a file (and _rescued_data) are read as NULL; case-sensitive names, as
      // the line formats; timestamps are read as UTC wall-clock time, as Spark writes them.
      parquet =
          new ParquetColumnarRowInputFormat<>(
              hadoop.toConfiguration(),
              fileType,
              InternalTypeInfo.of(fileType),
              PARQUET_BATCH_ROWS,
              true,
              true);
    }
    return parquet;
  }

  private BulkFormat.Reader<RowData> vanished(FileSourceSplit split, FileNotFoundException e) {
    LOG.warn(
        "Auto Loader source '{}': file {} was listed but disappeared before it was read; it is skipped ({}).",
        sourceId,
        split.path(),
        e.getMessage());
    return new NoRecords();
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(producedType);
  }

  private static final class NoRecords implements BulkFormat.Reader<RowData> {
    @Override
    public RecordIterator<RowData> readBatch() {
      return null;
    }

    @Override
    public void close() {}
  }
}
