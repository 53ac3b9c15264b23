package io.tributary.runtime.delta;

import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.TransactionImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.deletionvectors.Base85Codec;
import io.delta.kernel.internal.snapshot.MetadataCleanup;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every use of Delta Kernel's internal (non-API) classes, in one place. Kernel 4.4 has no public way
 * to remove a file (needed for an atomic overwrite), to read one scan file by itself (needed to read
 * a snapshot split by split, or a file whose add action a split carries; its own examples do it this way), to name the actions of a range of
 * commits (needed to stream a table version by version), or to add a column to a table without
 * column mapping (its public schema update refuses such tables, though the protocol allows it).
 * Maintenance needs a few more: actions of a rewrite that changes no data ({@code dataChange=false}),
 * the table's retention settings parsed as Delta parses them, and the cleanup of expired log files
 * (Kernel runs it only inside a checkpoint of a snapshot loaded as the latest, and reports nothing),
 * and keyed tables need to write a deletion vector (Kernel only reads them). {@code
 * KernelInternalsTest} pins each method, so a Kernel upgrade that changes one fails there, loudly,
 * and not somewhere inside a job.
 */
public final class KernelInternals {

  private KernelInternals() {}

  /**
   * The {@code remove} action (as a single-action row for {@code Transaction.commit}) for the file a
   * scan file row of the table's snapshot describes, with its deletion vector if it has one.
   */
  public static Row removeAction(Row scanFileRow, long deletionTimestamp) {
    return removeAction(scanFileRow, deletionTimestamp, true);
  }

  /**
   * The {@code remove} action for a scan file row; {@code dataChange=false} marks a rewrite (a
   * compaction) that streaming readers skip.
   */
  public static Row removeAction(Row scanFileRow, long deletionTimestamp, boolean dataChange) {
    Row add = scanFileRow.getStruct(scanFileRow.getSchema().indexOf("add"));
    Row remove = new AddFile(add).toRemoveFileRow(dataChange, Optional.of(deletionTimestamp));
    return SingleAction.createRemoveFileSingleAction(remove);
  }

  /**
   * The same {@code add} action (as {@code Transaction.generateAppendActions} makes it) with {@code
   * dataChange=false}: the file holds rows the table already has (a compaction). Kernel 4.4 generates
   * only {@code dataChange=true} adds.
   */
  public static Row withoutDataChange(Row addAction) {
    int addIndex = addAction.getSchema().indexOf("add");
    Row add = addAction.getStruct(addIndex);
    int dataChange = add.getSchema().indexOf("dataChange");
    if (addIndex < 0 || dataChange < 0) {
      throw new IllegalStateException(
          "Delta Kernel changed its add action: no add.dataChange in "
              + addAction.getSchema()
              + " (KernelInternals.withoutDataChange)");
    }
    return SingleAction.createAddFileSingleAction(new FalseAt(add, dataChange));
  }

  /** {@code delta.deletedFileRetentionDuration} of a table, as Delta parses it (default 1 week). */
  public static Duration deletedFileRetention(Map<String, String> tableProperties) {
    return Duration.ofMillis(TableConfig.TOMBSTONE_RETENTION.fromMetadata(tableProperties));
  }

  /** {@code delta.logRetentionDuration} of a table, as Delta parses it (default 30 days). */
  public static Duration logRetention(Map<String, String> tableProperties) {
    return Duration.ofMillis(TableConfig.LOG_RETENTION.fromMetadata(tableProperties));
  }

  /** {@code delta.enableExpiredLogCleanup} of a table (default true). */
  public static boolean expiredLogCleanupEnabled(Map<String, String> tableProperties) {
    return TableConfig.EXPIRED_LOG_CLEANUP_ENABLED.fromMetadata(tableProperties);
  }

  /**
   * Deletes the table's commit and checkpoint files older than {@code retention} that a later
   * checkpoint makes unnecessary (Kernel's own algorithm: every version within the retention stays
   * readable), and returns how many it deleted. {@code tablePath} is the resolved table root.
   */
  public static long cleanupExpiredLogs(Engine engine, String tablePath, Duration retention)
      throws IOException {
    return MetadataCleanup.cleanupExpiredLogs(
        engine,
        System::currentTimeMillis,
        new io.delta.kernel.internal.fs.Path(tablePath),
        retention.toMillis());
  }

  /** The data file a scan file row describes (absolute path, size, modification time). */
  public static FileStatus dataFile(Row scanFileRow) {
    return InternalScanFileUtils.getAddFileStatus(scanFileRow);
  }

  /** The partition values of the file a scan file row describes, serialized as in the log. */
  static Map<String, String> partitionValues(Row scanFileRow) {
    return InternalScanFileUtils.getPartitionValues(scanFileRow);
  }

  /**
   * The physical row count the add action of a scan file row records in its statistics ({@code
   * numRecords}), or empty if the writer recorded none, the scan left statistics out, or they are
   * not JSON Kernel can parse.
   */
  public static Optional<Long> numRecords(Row scanFileRow) {
    Row add = scanFileRow.getStruct(scanFileRow.getSchema().indexOf("add"));
    if (add.getSchema().indexOf("stats") < 0) {
      return Optional.empty();
    }
    try {
      return new AddFile(add).getNumRecords();
    } catch (io.delta.kernel.exceptions.KernelException unparsable) {
      return Optional.empty();
    }
  }

  /** The deletion vector of the file a scan file row describes, or {@code null}. */
  public static DeltaDeletionVector deletionVector(Row scanFileRow) {
    Row add = scanFileRow.getStruct(scanFileRow.getSchema().indexOf("add"));
    Optional<DeletionVectorDescriptor> dv = new AddFile(add).getDeletionVector();
    return dv.map(
            d ->
                new DeltaDeletionVector(
                    d.getStorageType(),
                    d.getPathOrInlineDv(),
                    d.getOffset().orElse(-1),
                    d.getSizeInBytes(),
                    d.getCardinality()))
        .orElse(null);
  }

  /**
   * The scan file row of one data file, as a scan of the snapshot whose {@code scanState} this is would
   * list it, built from the file's add action: a reader that knows the action reads the file without
   * listing the snapshot's files (Kernel's public API only reads files a scan lists). Fields are set by
   * name; a field Kernel added that this does not know stays null.
   */
  static Row scanFileRow(Row scanState, DeltaAddFile file) {
    StructType scanFileSchema = InternalScanFileUtils.SCAN_FILE_SCHEMA;
    StructType addSchema = (StructType) scanFileSchema.get("add").getDataType();
    Map<Integer, Object> add = new HashMap<>();
    add.put(addSchema.indexOf("path"), file.path());
    add.put(
        addSchema.indexOf("partitionValues"),
        VectorUtils.stringStringMapValue(file.partitionValues()));
    add.put(addSchema.indexOf("size"), file.size());
    add.put(addSchema.indexOf("modificationTime"), file.modificationTime());
    add.put(addSchema.indexOf("dataChange"), true);
    DeltaDeletionVector dv = file.deletionVector();
    if (dv != null) {
      add.put(
          addSchema.indexOf("deletionVector"),
          new DeletionVectorDescriptor(
                  dv.storageType(),
                  dv.pathOrInlineDv(),
                  dv.offset() < 0 ? Optional.empty() : Optional.of(dv.offset()),
                  dv.sizeInBytes(),
                  dv.cardinality())
              .toRow());
    }
    if (add.containsKey(-1)) {
      throw new IllegalStateException(
          "Delta Kernel changed its scan file schema: "
              + scanFileSchema
              + " (KernelInternals.scanFileRow)");
    }
    Map<Integer, Object> scanFile = new HashMap<>();
    scanFile.put(scanFileSchema.indexOf("add"), new GenericRow(addSchema, add));
    scanFile.put(
        scanFileSchema.indexOf("tableRoot"),
        ScanStateRow.getTableRoot(scanState).toUri().toString());
    return new GenericRow(scanFileSchema, scanFile);
  }

  /** The schema to read from a data file of the scan: the table's columns minus partition columns. */
  static StructType physicalReadSchema(Row scanState) {
    return ScanStateRow.getPhysicalDataReadSchema(scanState);
  }

  /**
   * Whether the scan's table maps its columns to physical names or ids ({@code delta.columnMapping.mode}
   * {@code name} or {@code id}): Kernel then gives each batch read the logical schema, which it accepts
   * only with the types of the physical one.
   */
  static boolean mapsColumns(Row scanState) {
    return ScanStateRow.getColumnMappingMode(scanState) != ColumnMapping.ColumnMappingMode.NONE;
  }

  /**
   * The add, remove and metadata actions of the table's commits {@code start..end} (inclusive), one
   * action per row, in version order: columns {@code version}, {@code timestamp}, {@code add},
   * {@code remove}, {@code metaData} (structs, null when the row is another action). Kernel 4.4 has
   * this only on its internal {@code TableImpl}, with its internal {@code DeltaAction} enum; it checks
   * that every protocol in the range is one Kernel can read.
   */
  public static CloseableIterator<ColumnarBatch> changes(
      Engine engine, String tablePath, long start, long end) {
    return ((TableImpl) Table.forPath(engine, tablePath))
        .getChanges(
            engine,
            start,
            end,
            EnumSet.of(DeltaAction.ADD, DeltaAction.REMOVE, DeltaAction.METADATA));
  }

  /**
   * Makes {@code txn} commit a new metadata action whose schema is {@code schema} (its other fields,
   * property changes the builder made included, unchanged). Must be called before
   * {@code getTransactionState}, so the actions generated for the transaction's files use the new
   * schema. Kernel's own {@code TransactionImpl.updateMetadata} does it, as for in-commit timestamps;
   * the schema change itself was checked by {@code write.SchemaEvolution}.
   */
  public static void replaceSchema(Transaction txn, StructType schema) {
    try {
      java.lang.reflect.Field field = TransactionImpl.class.getDeclaredField("metadata");
      field.setAccessible(true);
      Metadata current = (Metadata) field.get(txn);
      java.lang.reflect.Method update =
          TransactionImpl.class.getDeclaredMethod("updateMetadata", Metadata.class);
      update.setAccessible(true);
      update.invoke(txn, current.withNewSchema(schema));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "Delta Kernel changed TransactionImpl: cannot add columns to a table"
              + " (KernelInternals.replaceSchema)",
          e);
    }
  }

  /** A row that reads as {@code row} except that the boolean field at {@code index} is false. */
  private record FalseAt(Row row, int index) implements Row {
    @Override
    public StructType getSchema() {
      return row.getSchema();
    }

    @Override
    public boolean isNullAt(int i) {
      return i != index && row.isNullAt(i);
    }

    @Override
    public boolean getBoolean(int i) {
      return i != index && row.getBoolean(i);
    }

    @Override
    public byte getByte(int i) {
      return row.getByte(i);
    }

    @Override
    public short getShort(int i) {
      return row.getShort(i);
    }

    @Override
    public int getInt(int i) {
      return row.getInt(i);
    }

    @Override
    public long getLong(int i) {
      return row.getLong(i);
    }

    @Override
    public float getFloat(int i) {
      return row.getFloat(i);
    }

    @Override
    public double getDouble(int i) {
      return row.getDouble(i);
    }

    @Override
    public String getString(int i) {
      return row.getString(i);
    }

    @Override
    public BigDecimal getDecimal(int i) {
      return row.getDecimal(i);
    }

    @Override
    public byte[] getBinary(int i) {
      return row.getBinary(i);
    }

    @Override
    public Row getStruct(int i) {
      return row.getStruct(i);
    }

    @Override
    public ArrayValue getArray(int i) {
      return row.getArray(i);
    }

    @Override
    public MapValue getMap(int i) {
      return row.getMap(i);
    }
  }

  /**
   * The {@code add} action (a single-action row) of an unpartitioned data file with a deletion
   * vector. {@code stats} are the file's statistics over all its physical rows (Delta requires an exact
   * {@code numRecords} with a DV); they are marked not tight, since min/max/null counts may now
   * include deleted rows.
   */
  public static Row addWithDeletionVector(
      URI tableRoot,
      StructType physicalSchema,
      String path,
      long size,
      long modificationTime,
      DataFileStatistics stats,
      DeltaDeletionVector dv) {
    DataFileStatistics wide =
        new DataFileStatistics(
            stats.getNumRecords(),
            stats.getMinValues(),
            stats.getMaxValues(),
            stats.getNullCount(),
            Optional.of(false));
    DeletionVectorDescriptor descriptor =
        new DeletionVectorDescriptor(
            dv.storageType(),
            dv.pathOrInlineDv(),
            dv.offset() < 0 ? Optional.empty() : Optional.of(dv.offset()),
            dv.sizeInBytes(),
            dv.cardinality());
    AddFile add =
        AddFile.convertDataFileStatus(
            physicalSchema,
            tableRoot,
            new DataFileStatus(path, size, modificationTime, Optional.of(wide)),
            Map.<String, Literal>of(),
            true,
            Map.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(descriptor));
    return SingleAction.createAddFileSingleAction(add.toRow());
  }

  /** The protocol's base85 form of a DV file's UUID (20 characters). */
  public static String encodeUuid(UUID uuid) {
    return Base85Codec.encodeUUID(uuid);
  }

  public static UUID decodeUuid(String encoded) {
    return Base85Codec.decodeUUID(encoded);
  }

  /** The bytes of an inline DV ({@code storageType} {@code i}). */
  public static byte[] decodeInlineDeletionVector(String encoded, int sizeInBytes) {
    return Base85Codec.decodeBytes(encoded, sizeInBytes);
  }
}
