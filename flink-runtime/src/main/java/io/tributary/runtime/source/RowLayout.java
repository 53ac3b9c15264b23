package io.tributary.runtime.source;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Where each column of a produced row type sits: the data columns by exact name, and the trailing
 * rescued data column ({@value #RESCUED_DATA} unless the {@code rescuedDataColumn} option names another)
 * if the type has one. Names match exactly, so a field that differs only in case is rescued, as Auto
 * Loader does (and ignored when there is no rescued data column).
 */
final class RowLayout {

  static final String RESCUED_DATA = "_rescued_data";

  private final RowType type;
  private final Map<String, Integer> indexByName = new HashMap<>();
  private final int rescuedIndex;
  private final int dataColumns;

  /** The layout of {@code type}, whose last column is the rescued data column if it is named {@code rescuedName}. */
  RowLayout(RowType type, String rescuedName) {
    this.type = type;
    List<String> names = type.getFieldNames();
    int last = names.size() - 1;
    this.rescuedIndex = last >= 0 && names.get(last).equals(rescuedName) ? last : -1;
    this.dataColumns = rescuedIndex >= 0 ? last : names.size();
    for (int i = 0; i < dataColumns; i++) {
      indexByName.put(names.get(i), i);
    }
  }

  /** The index of the data column named exactly {@code name}, or -1. */
  int indexOf(String name) {
    return indexByName.getOrDefault(name, -1);
  }

  int arity() {
    return type.getFieldCount();
  }

  int dataColumns() {
    return dataColumns;
  }

  LogicalType typeAt(int index) {
    return type.getTypeAt(index);
  }

  String nameAt(int index) {
    return type.getFieldNames().get(index);
  }

  boolean hasRescuedColumn() {
    return rescuedIndex >= 0;
  }

  String rescuedName() {
    return rescuedIndex >= 0 ? nameAt(rescuedIndex) : "";
  }

  int rescuedIndex() {
    return rescuedIndex;
  }
}
