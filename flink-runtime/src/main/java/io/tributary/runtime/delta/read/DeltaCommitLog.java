package io.tributary.runtime.delta.read;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaAddFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.KernelInternals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each commit of a range did to a table's data, read from its log: the files it added with
 * {@code dataChange=true}, whether it removed any with {@code dataChange=true} (a delete, update,
 * merge or overwrite: a change a stream of appends cannot carry), and whether it changed the metadata.
 * Actions with {@code dataChange=false} (compaction, which rewrites files without changing rows) are
 * not reported at all.
 */
final class DeltaCommitLog {

  private DeltaCommitLog() {}

  /**
   * One commit.
   *
   * @param addedFiles the data files added with {@code dataChange=true} (paths as the log writes them)
   * @param removesData whether a file was removed with {@code dataChange=true}
   * @param metadataChanged whether the commit carries a metadata action (a schema change, for instance)
   */
  record Commit(
      long version, List<DeltaAddFile> addedFiles, boolean removesData, boolean metadataChanged) {
    Commit {
      addedFiles = List.copyOf(addedFiles);
    }
  }

  /** The commits {@code start..end} (inclusive) of the table, in version order, each version once. */
  static List<Commit> read(Engine engine, String tablePath, long start, long end) {
    TreeMap<Long, Builder> commits = new TreeMap<>();
    for (long v = start; v <= end; v++) {
      commits.put(v, new Builder());
    }
    try (CloseableIterator<ColumnarBatch> batches =
        KernelInternals.changes(engine, tablePath, start, end)) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        ColumnVector versions = batch.getColumnVector(batch.getSchema().indexOf("version"));
        ColumnVector adds = batch.getColumnVector(batch.getSchema().indexOf("add"));
        ColumnVector removes = batch.getColumnVector(batch.getSchema().indexOf("remove"));
        ColumnVector metadata = batch.getColumnVector(batch.getSchema().indexOf("metaData"));
        AddColumns added = new AddColumns(adds);
        ColumnVector addDataChange = child(adds, "dataChange");
        ColumnVector removeDataChange = child(removes, "dataChange");
        for (int row = 0; row < batch.getSize(); row++) {
          Builder commit = commits.get(versions.getLong(row));
          if (!adds.isNullAt(row) && dataChange(addDataChange, row)) {
            commit.added.add(added.at(row));
          }
          if (!removes.isNullAt(row) && dataChange(removeDataChange, row)) {
            commit.removesData = true;
          }
          if (!metadata.isNullAt(row)) {
            commit.metadataChanged = true;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Commit> result = new ArrayList<>();
    commits.forEach(
        (version, b) -> result.add(new Commit(version, b.added, b.removesData, b.metadataChanged)));
    return result;
  }

  private static ColumnVector child(ColumnVector struct, String field) {
    return struct.getChild(
        ((io.delta.kernel.types.StructType) struct.getDataType()).indexOf(field));
  }

  /** The protocol requires {@code dataChange}; a writer that left it out is taken to change data. */
  private static boolean dataChange(ColumnVector dataChange, int row) {
    return dataChange.isNullAt(row) || dataChange.getBoolean(row);
  }

  /** The columns of the add actions a reader of their files needs. */
  private static final class AddColumns {
    private final ColumnVector path;
    private final ColumnVector size;
    private final ColumnVector modificationTime;
    private final ColumnVector partitionValues;
    private final ColumnVector deletionVector;

    AddColumns(ColumnVector adds) {
      path = child(adds, "path");
      size = child(adds, "size");
      modificationTime = child(adds, "modificationTime");
      partitionValues = child(adds, "partitionValues");
      deletionVector = child(adds, "deletionVector");
    }

    DeltaAddFile at(int row) {
      Map<String, String> values = new LinkedHashMap<>();
      if (!partitionValues.isNullAt(row)) {
        MapValue map = partitionValues.getMap(row);
        for (int i = 0; i < map.getSize(); i++) {
          ColumnVector value = map.getValues();
          values.put(map.getKeys().getString(i), value.isNullAt(i) ? null : value.getString(i));
        }
      }
      DeltaDeletionVector dv = null;
      if (!deletionVector.isNullAt(row)) {
        ColumnVector offset = child(deletionVector, "offset");
        dv =
            new DeltaDeletionVector(
                child(deletionVector, "storageType").getString(row),
                child(deletionVector, "pathOrInlineDv").getString(row),
                offset.isNullAt(row) ? -1 : offset.getInt(row),
                child(deletionVector, "sizeInBytes").getInt(row),
                child(deletionVector, "cardinality").getLong(row));
      }
      return new DeltaAddFile(
          path.getString(row), size.getLong(row), modificationTime.getLong(row), values, dv);
    }
  }

  private static final class Builder {
    private final List<DeltaAddFile> added = new ArrayList<>();
    private boolean removesData;
    private boolean metadataChanged;
  }
}
