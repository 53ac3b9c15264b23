package io.tributary.runtime.delta;

import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.TransactionImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Every use of Delta Kernel's internal (non-API) classes, in one place. Kernel 4.4 has no public way
 * to remove a file (needed for an atomic overwrite), to read one scan file by itself (needed to read
 * a snapshot split by split; its own examples do it this way), to name the actions of a range of
 * commits (needed to stream a table version by version), or to add a column to a table without
 * column mapping (its public schema update refuses such tables, though the protocol allows it). {@code
 * KernelInternalsTest} pins each method, so a Kernel upgrade that changes one fails there, loudly,
 * and not somewhere inside a job.
 */
final class KernelInternals {

  private KernelInternals() {}

  /**
   * The {@code remove} action (as a single-action row for {@code Transaction.commit}) for the file a
   * scan file row of the table's snapshot describes.
   */
  static Row removeAction(Row scanFileRow, long deletionTimestamp) {
    Row add = scanFileRow.getStruct(scanFileRow.getSchema().indexOf("add"));
    Row remove = new AddFile(add).toRemoveFileRow(true, Optional.of(deletionTimestamp));
    return SingleAction.createRemoveFileSingleAction(remove);
  }

  /** The data file a scan file row describes (absolute path, size, modification time). */
  static FileStatus dataFile(Row scanFileRow) {
    return InternalScanFileUtils.getAddFileStatus(scanFileRow);
  }

  /** The schema to read from a data file of the scan: the table's columns minus partition columns. */
  static StructType physicalReadSchema(Row scanState) {
    return ScanStateRow.getPhysicalDataReadSchema(scanState);
  }

  /**
   * The add, remove and metadata actions of the table's commits {@code start..end} (inclusive), one
   * action per row, in version order: columns {@code version}, {@code timestamp}, {@code add},
   * {@code remove}, {@code metaData} (structs, null when the row is another action). Kernel 4.4 has
   * this only on its internal {@code TableImpl}, with its internal {@code DeltaAction} enum; it checks
   * that every protocol in the range is one Kernel can read.
   */
  static CloseableIterator<ColumnarBatch> changes(Engine engine, String tablePath, long start, long end) {
    return ((TableImpl) Table.forPath(engine, tablePath)).getChanges(engine, start, end,
        EnumSet.of(DeltaAction.ADD, DeltaAction.REMOVE, DeltaAction.METADATA));
  }

  /**
   * Makes {@code txn} commit a new metadata action whose schema is {@code schema} (its other fields,
   * property changes the builder made included, unchanged). Must be called before
   * {@code getTransactionState}, so the actions generated for the transaction's files use the new
   * schema. Kernel's own {@code TransactionImpl.updateMetadata} does it, as for in-commit timestamps;
   * the schema change itself was checked by {@link SchemaEvolution}.
   */
  static void replaceSchema(Transaction txn, StructType schema) {
    try {
      java.lang.reflect.Field field = TransactionImpl.class.getDeclaredField("metadata");
      field.setAccessible(true);
      Metadata current = (Metadata) field.get(txn);
      java.lang.reflect.Method update = TransactionImpl.class.getDeclaredMethod("updateMetadata", Metadata.class);
      update.setAccessible(true);
      update.invoke(txn, current.withNewSchema(schema));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Delta Kernel changed TransactionImpl: cannot add columns to a table"
          + " (KernelInternals.replaceSchema)", e);
    }
  }
}
