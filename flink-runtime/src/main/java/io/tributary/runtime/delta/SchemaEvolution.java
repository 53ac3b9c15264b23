package io.tributary.runtime.delta;

import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a job may write {@code written} into a table whose schema is {@code existing}: the
 * same schema, or the same columns followed by new nullable top-level columns (Auto Loader's
 * {@code addNewColumns}, a query that selects one more column). The table then gets a new metadata
 * action with the written schema; files written before it lack the new columns, and every Delta
 * reader reads NULL for a column a file lacks. Tables here have no column mapping, so a column is
 * found in a file by its name: a type change, a dropped, renamed or reordered column, or a new
 * NOT NULL column would change what old files mean, and is refused with the fix (a full refresh).
 */
final class SchemaEvolution {

  private SchemaEvolution() {}

  /**
   * The schema to commit as the table's new metadata, or empty if {@code written} is the table's
   * schema.
   *
   * @throws DeltaTableException if {@code written} is not {@code existing} plus appended nullable columns
   */
  static Optional<StructType> evolved(String tablePath, StructType existing, StructType written) {
    if (existing.equals(written)) {
      return Optional.empty();
    }
    List<StructField> old = existing.fields();
    List<StructField> now = written.fields();
    for (int i = 0; i < old.size(); i++) {
      StructField was = old.get(i);
      Optional<StructField> same = now.stream().filter(f -> f.getName().equals(was.getName())).findFirst();
      if (same.isEmpty()) {
        throw DeltaTableException.columnDropped(tablePath, was.getName(), describe(was), names(now));
      }
      StructField is = same.get();
      if (!is.getDataType().equals(was.getDataType()) || is.isNullable() != was.isNullable()) {
        throw DeltaTableException.columnTypeChanged(tablePath, was.getName(), describe(was), describe(is));
      }
      if (i >= now.size() || !now.get(i).getName().equals(was.getName())) {
        throw DeltaTableException.columnsReordered(tablePath, names(old), names(now));
      }
      // a column whose only change is its metadata (a comment) is committed with the new schema
    }
    List<String> required = new ArrayList<>();
    for (StructField added : now.subList(old.size(), now.size())) {
      if (!added.isNullable()) {
        required.add(added.getName() + " " + describe(added));
      }
    }
    if (!required.isEmpty()) {
      throw DeltaTableException.requiredColumnsAdded(tablePath, required);
    }
    return Optional.of(written);
  }

  /** The names of the columns {@code written} adds to {@code existing} (call after {@link #evolved}). */
  static List<String> addedColumns(StructType existing, StructType written) {
    return names(written.fields().subList(existing.length(), written.length()));
  }

  private static String describe(StructField field) {
    return field.getDataType().toString() + (field.isNullable() ? "" : " NOT NULL");
  }

  private static List<String> names(List<StructField> fields) {
    return fields.stream().map(StructField::getName).toList();
  }
}
