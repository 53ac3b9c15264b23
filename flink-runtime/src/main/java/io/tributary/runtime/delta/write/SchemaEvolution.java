package io.tributary.runtime.delta.write;

import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.tributary.runtime.delta.DeltaTableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a job may write {@code written} into a table whose schema is {@code existing}: the
 * same schema, or the same columns in the same order with new nullable top-level columns among or
 * after them (Auto Loader's {@code addNewColumns} puts them before {@code _rescued_data}; a query may
 * select one more column). The table then gets a new metadata action with the written schema. Tables
 * here have no column mapping, so every Delta reader finds a column in a data file by its name, and
 * reads NULL for a column a file written before lacks. A type change, a dropped, renamed or
 * reordered column, or a new NOT NULL column would change what old files mean, and is refused with
 * the fix (a full refresh).
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
    List<String> oldNames = names(old);
    for (StructField was : old) {
      Optional<StructField> same =
          now.stream().filter(f -> f.getName().equals(was.getName())).findFirst();
      if (same.isEmpty()) {
        throw DeltaTableException.columnDropped(
            tablePath, was.getName(), describe(was), names(now));
      }
      StructField is = same.get();
      if (!is.getDataType().equals(was.getDataType()) || is.isNullable() != was.isNullable()) {
        throw DeltaTableException.columnTypeChanged(
            tablePath, was.getName(), describe(was), describe(is));
      }
      // a column whose only change is its metadata (a comment) is committed with the new schema
    }
    List<String> kept = names(now).stream().filter(oldNames::contains).toList();
    if (!kept.equals(oldNames)) {
      throw DeltaTableException.columnsReordered(tablePath, oldNames, names(now));
    }
    List<String> required = new ArrayList<>();
    for (StructField added : now) {
      if (!oldNames.contains(added.getName()) && !added.isNullable()) {
        required.add(added.getName() + " " + describe(added));
      }
    }
    if (!required.isEmpty()) {
      throw DeltaTableException.requiredColumnsAdded(tablePath, required);
    }
    return Optional.of(written);
  }

  private static String describe(StructField field) {
    return field.getDataType().toString() + (field.isNullable() ? "" : " NOT NULL");
  }

  private static List<String> names(List<StructField> fields) {
    return fields.stream().map(StructField::getName).toList();
  }
}
