package io.tributary.runtime.delta;

import io.delta.kernel.data.Row;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.deletionvectors.Base85Codec;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every use of Delta Kernel's internal (non-API) classes, in one place. Kernel 4.4 has no public way
 * to remove a file (needed for an atomic overwrite), to read one scan file by itself (needed to read
 * a snapshot split by split), though its own examples do the latter this way, or to write a deletion
 * vector (it reads them). {@code KernelInternalsTest} pins each method, so a Kernel upgrade that
 * changes one fails there, loudly, and not somewhere inside a job.
 */
final class KernelInternals {

  private KernelInternals() {}

  /**
   * The {@code remove} action (as a single-action row for {@code Transaction.commit}) for the file a
   * scan file row of the table's snapshot describes, with its deletion vector if it has one.
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

  /** The deletion vector of the file a scan file row describes, or {@code null}. */
  static DeltaDeletionVector deletionVector(Row scanFileRow) {
    Row add = scanFileRow.getStruct(scanFileRow.getSchema().indexOf("add"));
    Optional<DeletionVectorDescriptor> dv = new AddFile(add).getDeletionVector();
    return dv.map(d -> new DeltaDeletionVector(d.getStorageType(), d.getPathOrInlineDv(),
        d.getOffset().orElse(-1), d.getSizeInBytes(), d.getCardinality())).orElse(null);
  }

  /** The schema to read from a data file of the scan: the table's columns minus partition columns. */
  static StructType physicalReadSchema(Row scanState) {
    return ScanStateRow.getPhysicalDataReadSchema(scanState);
  }

  /**
   * The {@code add} action (a single-action row) of an unpartitioned data file with a deletion
   * vector. {@code stats} are the file's statistics over all its physical rows (Delta requires an exact
   * {@code numRecords} with a DV); they are marked not tight, since min/max/null counts may now
   * include deleted rows.
   */
  static Row addWithDeletionVector(URI tableRoot, StructType physicalSchema, String path, long size,
                                   long modificationTime, DataFileStatistics stats, DeltaDeletionVector dv) {
    DataFileStatistics wide = new DataFileStatistics(stats.getNumRecords(), stats.getMinValues(),
        stats.getMaxValues(), stats.getNullCount(), Optional.of(false));
    DeletionVectorDescriptor descriptor = new DeletionVectorDescriptor(dv.storageType(), dv.pathOrInlineDv(),
        dv.offset() < 0 ? Optional.empty() : Optional.of(dv.offset()), dv.sizeInBytes(), dv.cardinality());
    AddFile add = AddFile.convertDataFileStatus(physicalSchema, tableRoot,
        new DataFileStatus(path, size, modificationTime, Optional.of(wide)), Map.<String, Literal>of(), true,
        Map.of(), Optional.empty(), Optional.empty(), Optional.of(descriptor));
    return SingleAction.createAddFileSingleAction(add.toRow());
  }

  /** The protocol's base85 form of a DV file's UUID (20 characters). */
  static String encodeUuid(UUID uuid) {
    return Base85Codec.encodeUUID(uuid);
  }

  static UUID decodeUuid(String encoded) {
    return Base85Codec.decodeUUID(encoded);
  }

  /** The bytes of an inline DV ({@code storageType} {@code i}). */
  static byte[] decodeInlineDeletionVector(String encoded, int sizeInBytes) {
    return Base85Codec.decodeBytes(encoded, sizeInBytes);
  }
}
