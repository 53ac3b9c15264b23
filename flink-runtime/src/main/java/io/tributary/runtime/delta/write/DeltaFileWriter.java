package io.tributary.runtime.delta.write;

import io.delta.kernel.types.StructType;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTypes;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Writes the rows of one writer into Parquet data files under a table directory: one open file per
 * partition, a new file when one reaches the target size, and every file closed by {@link
 * #closeAll()} (at each checkpoint), so nothing is in flight across a checkpoint and a file left by
 * a failed attempt is simply never committed. Not thread-safe; one per writer subtask.
 */
public final class DeltaFileWriter implements AutoCloseable {

  private final Path tableRoot;
  private final Configuration conf;
  private final long targetFileBytes;
  private final String filePrefix;
  private final RowType dataType;
  private final StructType physicalSchema;
  private final int[] partitionIndexes;
  private final List<String> partitionNames;
  private final List<LogicalType> partitionTypes;
  private final ProjectedRowData dataProjection;
  private final Map<List<String>, OpenFile> open = new LinkedHashMap<>();
  private final List<DeltaDataFile> finished = new ArrayList<>();
  private final PlainEncodedColumns plainColumns = new PlainEncodedColumns();
  private long fileCounter;
  private long rowsWritten;

  private record OpenFile(
      Path path, ParquetWriter<RowData> writer, Map<String, String> partitionValues) {}

  public DeltaFileWriter(
      String tablePath,
      RowType rowType,
      List<String> partitionColumns,
      long targetFileBytes,
      Configuration conf,
      int subtask) {
    this(tablePath, rowType, partitionColumns, targetFileBytes, conf, subtask, UUID.randomUUID());
  }

  /**
   * @param fileId the UUID in the names of this writer's files: a {@link WriterAttempt#newFileId()} for a
   *     job's writer, so the names say which run wrote them; a random one otherwise
   */
  public DeltaFileWriter(
      String tablePath,
      RowType rowType,
      List<String> partitionColumns,
      long targetFileBytes,
      Configuration conf,
      int subtask,
      UUID fileId) {
    this.conf = conf;
    this.tableRoot = DeltaPaths.qualified(tablePath, conf);
    this.targetFileBytes = targetFileBytes;
    this.filePrefix = String.format("part-%05d-%s", subtask, fileId);
    this.partitionNames = List.copyOf(partitionColumns);
    this.partitionIndexes =
        partitionColumns.stream().mapToInt(rowType.getFieldNames()::indexOf).toArray();
    this.partitionTypes = new ArrayList<>();
    for (int index : partitionIndexes) {
      partitionTypes.add(rowType.getTypeAt(index));
    }
    List<RowType.RowField> dataFields = new ArrayList<>();
    List<Integer> dataIndexes = new ArrayList<>();
    for (int i = 0; i < rowType.getFieldCount(); i++) {
      if (!partitionColumns.contains(rowType.getFieldNames().get(i))) {
        dataFields.add(rowType.getFields().get(i));
        dataIndexes.add(i);
      }
    }
    this.dataType = new RowType(rowType.isNullable(), dataFields);
    this.physicalSchema = DeltaTypes.toStructType(dataType);
    this.dataProjection =
        partitionColumns.isEmpty()
            ? null
            : ProjectedRowData.from(dataIndexes.stream().mapToInt(Integer::intValue).toArray());
  }

  public void write(RowData row) throws IOException {
    List<String> key = new ArrayList<>(partitionIndexes.length);
    for (int i = 0; i < partitionIndexes.length; i++) {
      key.add(partitionValue(row, partitionIndexes[i], partitionTypes.get(i)));
    }
    OpenFile file = open.get(key);
    if (file == null) {
      file = openFile(key);
      open.put(key, file);
    }
    file.writer().write(dataProjection == null ? row : dataProjection.replaceRow(row));
    // the buffered size is summed over every column: look at it now and then, not per row
    if ((++rowsWritten & 127) == 0 && file.writer().getDataSize() >= targetFileBytes) {
      open.remove(key);
      finish(file);
    }
  }

  /** Closes every open file and returns every file finished since the last call. */
  public List<DeltaDataFile> closeAll() throws IOException {
    for (OpenFile file : open.values()) {
      finish(file);
    }
    open.clear();
    List<DeltaDataFile> result = List.copyOf(finished);
    finished.clear();
    return result;
  }

  private OpenFile openFile(List<String> partitionValues) throws IOException {
    StringBuilder dir = new StringBuilder();
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < partitionNames.size(); i++) {
      String value = partitionValues.get(i);
      values.put(partitionNames.get(i), value);
      dir.append(escape(partitionNames.get(i)))
          .append('=')
          .append(value == null ? "__HIVE_DEFAULT_PARTITION__" : escape(value))
          .append('/');
    }
    Path path = new Path(tableRoot, dir + filePrefix + "-" + (fileCounter++) + ".snappy.parquet");
    OutputFile out = HadoopOutputFile.fromPath(path, conf);
    ParquetWriter<RowData> writer =
        plainColumns
            .applyTo(new Builder(out, dataType).withConf(conf))
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build();
    return new OpenFile(path, writer, values);
  }

  private void finish(OpenFile file) throws IOException {
    file.writer().close();
    FileSystem fs = file.path().getFileSystem(conf);
    FileStatus status = fs.getFileStatus(file.path());
    plainColumns.learn(file.writer().getFooter());
    var stats = ParquetFooterStats.of(file.writer().getFooter(), physicalSchema);
    finished.add(
        new DeltaDataFile(
            status.getPath().toString(),
            status.getLen(),
            status.getModificationTime(),
            stats.getNumRecords(),
            file.partitionValues(),
            stats.serializeAsJson(physicalSchema)));
  }

  /** A partition value as the Delta protocol serializes it; {@code null} for null. */
  static String partitionValue(RowData row, int pos, LogicalType type) {
    if (row.isNullAt(pos)) {
      return null;
    }
    return switch (type.getTypeRoot()) {
      case CHAR, VARCHAR -> row.getString(pos).toString();
      case BOOLEAN -> Boolean.toString(row.getBoolean(pos));
      case TINYINT -> Byte.toString(row.getByte(pos));
      case SMALLINT -> Short.toString(row.getShort(pos));
      case INTEGER -> Integer.toString(row.getInt(pos));
      case BIGINT -> Long.toString(row.getLong(pos));
      case DATE -> LocalDate.ofEpochDay(row.getInt(pos)).toString();
      default -> throw new IllegalStateException("partition type not validated: " + type);
    };
  }

  /** The columns this writer's next files encode without trying a dictionary first. */
  Set<String> plainEncodedColumns() {
    return plainColumns.columns();
  }

  /** Hive-style escaping of a path segment, as Delta writers name partition directories. */
  static String escape(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c < ' ' || "\"#%'*/:=?\\\u007F{[]^".indexOf(c) >= 0) {
        out.append('%').append(String.format("%02X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public void close() throws IOException {
    for (OpenFile file : open.values()) {
      file.writer().close();
    }
    open.clear();
  }

  private static final class Builder extends ParquetWriter.Builder<RowData, Builder> {
    private final RowType rowType;

    Builder(OutputFile file, RowType rowType) {
      super(file);
      this.rowType = rowType;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    @SuppressWarnings(
        "deprecation") // the abstract method every Parquet 1.16 builder must implement
    protected org.apache.parquet.hadoop.api.WriteSupport<RowData> getWriteSupport(
        Configuration conf) {
      return new RowDataWriteSupport(rowType);
    }
  }
}
