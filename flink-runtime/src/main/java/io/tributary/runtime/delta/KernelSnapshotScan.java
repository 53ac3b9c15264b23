package io.tributary.runtime.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * One snapshot of a Delta table, scanned through Kernel and read file by file into Flink rows of a
 * requested row type (columns picked by name). Files are read with Kernel's Parquet reader and
 * {@link Scan#transformPhysicalData}, so partition values and deletion vectors are applied as Kernel
 * does it.
 *
 * <p>{@link #forAddedFiles} loads only the snapshot's protocol and metadata, without listing its files
 * (a replay of the whole log): it reads files whose add action the caller knows, of this version or of
 * any later one with the same metadata.
 */
public final class KernelSnapshotScan {

  private final Engine engine;
  private final String tablePath;
  private final long version;
  private final RowType rowType;
  private final Row scanState;
  private final StructType dataReadSchema;
  private final RowType readType;
  private final boolean listed;
  private final Map<String, Row> scanFiles = new LinkedHashMap<>();
  private final Map<String, Row> byLogPath = new java.util.HashMap<>();

  /** Scans {@code version} of the table, or the latest if {@code version < 0}. */
  public KernelSnapshotScan(Engine engine, String tablePath, long version, RowType rowType) {
    this(engine, tablePath, version, rowType, false);
  }

  /**
   * Scans {@code version} of the table, or the latest if {@code version < 0}.
   *
   * @param absentAsNull read columns of {@code rowType} that this version does not have yet as NULL (a
   *     stream reading versions older than a schema change) rather than failing
   */
  public KernelSnapshotScan(
      Engine engine, String tablePath, long version, RowType rowType, boolean absentAsNull) {
    this(engine, tablePath, version, rowType, absentAsNull, true);
  }

  /**
   * The snapshot of {@code version} without its files, to read files by their add action
   * ({@link #read(DeltaAddFile)}); columns of {@code rowType} this version lacks read as NULL.
   */
  public static KernelSnapshotScan forAddedFiles(
      Engine engine, String tablePath, long version, RowType rowType) {
    return new KernelSnapshotScan(engine, tablePath, version, rowType, true, false);
  }

  private KernelSnapshotScan(
      Engine engine,
      String tablePath,
      long version,
      RowType rowType,
      boolean absentAsNull,
      boolean listFiles) {
    this.engine = engine;
    this.tablePath = tablePath;
    this.rowType = rowType;
    Snapshot snapshot = snapshot(engine, tablePath, version);
    this.version = snapshot.getVersion();
    StructType schema = snapshot.getSchema();
    List<StructField> read = new ArrayList<>();
    List<RowType.RowField> present = new ArrayList<>();
    for (RowType.RowField column : rowType.getFields()) {
      int index = schema.indexOf(column.getName()); // StructType.get throws for an absent name
      StructField field = index < 0 ? null : schema.at(index);
      if (field == null && !absentAsNull) {
        throw DeltaTableException.missingColumn(tablePath, column.getName(), schema.fieldNames());
      }
      if (field != null) {
        read.add(field);
        present.add(column);
      }
    }
    this.readType = new RowType(rowType.isNullable(), present);
    Scan scan = snapshot.getScanBuilder().withReadSchema(new StructType(read)).build();
    this.scanState = scan.getScanState(engine);
    // strings as their bytes (KernelValues.stringsAsBytes), unless the table maps its columns:
    // Kernel renames each batch read to the logical schema, which must have the same types
    StructType physical = KernelInternals.physicalReadSchema(scanState);
    this.dataReadSchema =
        KernelInternals.mapsColumns(scanState) ? physical : KernelValues.stringsAsBytes(physical);
    this.listed = listFiles;
    if (!listFiles) {
      return;
    }
    for (FilteredColumnarBatch batch : KernelIterators.drain(scan.getScanFiles(engine))) {
      try (CloseableIterator<Row> rows = batch.getRows()) {
        rows.forEachRemaining(
            row -> {
              scanFiles.put(KernelInternals.dataFile(row).getPath(), row);
              Row add = row.getStruct(row.getSchema().indexOf("add"));
              byLogPath.put(add.getString(add.getSchema().indexOf("path")), row);
            });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static Snapshot snapshot(Engine engine, String tablePath, long version) {
    try {
      Table table = Table.forPath(engine, tablePath);
      return version < 0
          ? table.getLatestSnapshot(engine)
          : table.getSnapshotAsOfVersion(engine, version);
    } catch (TableNotFoundException e) {
      throw DeltaTableException.notATable(tablePath, e);
    }
  }

  public long version() {
    return version;
  }

  public String tablePath() {
    return tablePath;
  }

  /** Absolute paths of the snapshot's data files. */
  public List<String> files() {
    return List.copyOf(listedFiles().keySet());
  }

  /** The snapshot's data files' add actions (paths as the log writes them), in the order of {@link #files()}. */
  public List<DeltaAddFile> addFiles() {
    return listedFiles().values().stream()
        .map(
            row -> {
              FileStatus file = KernelInternals.dataFile(row);
              Row add = row.getStruct(row.getSchema().indexOf("add"));
              return new DeltaAddFile(
                  add.getString(add.getSchema().indexOf("path")),
                  file.getSize(),
                  file.getModificationTime(),
                  KernelInternals.partitionValues(row),
                  KernelInternals.deletionVector(row));
            })
        .toList();
  }

  private Map<String, Row> listedFiles() {
    if (!listed) {
      throw new IllegalStateException(
          "The scan of version " + version + " of " + tablePath + " lists no files");
    }
    return scanFiles;
  }

  /** The snapshot's data files: absolute path, size and modification time. */
  public List<FileStatus> fileStatuses() {
    return listedFiles().values().stream().map(KernelInternals::dataFile).toList();
  }

  /**
   * The snapshot's data files with their deletion vectors, described as a keyed table's writer keeps
   * them (no statistics: a file is removed by its path, and re-added with the statistics the table
   * has).
   */
  public List<DeltaDataFile> dataFiles() {
    return listedFiles().values().stream()
        .map(
            row -> {
              FileStatus file = KernelInternals.dataFile(row);
              return new DeltaDataFile(
                  file.getPath(),
                  file.getSize(),
                  file.getModificationTime(),
                  -1,
                  Map.of(),
                  "{}",
                  KernelInternals.deletionVector(row));
            })
        .toList();
  }

  /**
   * The rows of one data file of the snapshot, lazily, batch by batch; {@code file} is its absolute path
   * (as {@link #files()} names it) or its path as the log's add action writes it.
   */
  public CloseableIterator<RowData> read(String file) throws IOException {
    Row scanFile = listedFiles().getOrDefault(file, byLogPath.get(file));
    if (scanFile == null) {
      throw new IllegalStateException(
          "File " + file + " is not in version " + version + " of " + tablePath);
    }
    return read(scanFile);
  }

  /** The rows of the data file {@code add} names, of this version or a later one with the same metadata. */
  public CloseableIterator<RowData> read(DeltaAddFile add) throws IOException {
    return read(KernelInternals.scanFileRow(scanState, add));
  }

  private CloseableIterator<RowData> read(Row scanFile) throws IOException {
    FileStatus status = KernelInternals.dataFile(scanFile);
    CloseableIterator<ColumnarBatch> physical =
        engine
            .getParquetHandler()
            .readParquetFiles(
                KernelIterators.of(List.of(status).iterator()), dataReadSchema, Optional.empty())
            .map(FileReadResult::getData);
    CloseableIterator<FilteredColumnarBatch> logical =
        Scan.transformPhysicalData(engine, scanState, scanFile, physical);
    int[] positions = new int[readType.getFieldCount()];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = rowType.getFieldIndex(readType.getFieldNames().get(i));
    }
    return new CloseableIterator<>() {
      private FilteredColumnarBatch batch;
      private KernelValues.Projection projection;
      private int next;

      @Override
      public boolean hasNext() {
        while (true) {
          if (batch != null) {
            Optional<ColumnVector> selection = batch.getSelectionVector();
            while (next < batch.getData().getSize()
                && selection.isPresent()
                && (selection.get().isNullAt(next) || !selection.get().getBoolean(next))) {
              next++;
            }
            if (next < batch.getData().getSize()) {
              return true;
            }
          }
          if (!logical.hasNext()) {
            close();
            return false;
          }
          batch = logical.next();
          next = 0;
        }
      }

      @Override
      public RowData next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        ColumnarBatch data = batch.getData();
        projection = KernelValues.Projection.forSchema(projection, data.getSchema(), readType);
        GenericRowData read = projection.row(data::getColumnVector, next++);
        if (positions.length == rowType.getFieldCount()) {
          return read;
        }
        GenericRowData full = new GenericRowData(rowType.getFieldCount());
        for (int i = 0; i < positions.length; i++) {
          full.setField(positions[i], read.getField(i));
        }
        return full;
      }

      @Override
      public void close() {
        try {
          logical.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** The partition values of one data file of the snapshot, serialized as the Delta log holds them. */
  public Map<String, String> partitionValues(String file) {
    Row scanFile = listedFiles().get(file);
    if (scanFile == null) {
      throw new IllegalStateException(
          "File " + file + " is not in version " + version + " of " + tablePath);
    }
    return KernelInternals.partitionValues(scanFile);
  }
}
