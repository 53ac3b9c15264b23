package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.ApplyChangesSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The row type of an {@code applyChanges} target: the source's selected columns, plus
 * {@code __START_AT} and {@code __END_AT} typed as the sequence column for SCD type 2.
 */
final class CdcTargetSchema {

  static final String START_AT = "__START_AT";
  static final String END_AT = "__END_AT";

  private CdcTargetSchema() {}

  static RowType derive(ApplyChangesSpec flow, RowType source, List<String> problems) {
    String where = "applyChanges into '" + flow.target() + "'";
    List<String> names = source.getFieldNames();
    checkColumns(where, "keys", flow.keys(), names, problems);
    checkColumns(where, "sequenceBy", flow.sequenceBy(), names, problems);
    checkColumns(where, "columnList", flow.columnList(), names, problems);
    checkColumns(where, "exceptColumnList", flow.exceptColumnList(), names, problems);
    checkColumns(where, "trackHistoryColumnList", flow.trackHistoryColumnList(), names, problems);
    checkColumns(where, "trackHistoryExceptColumnList", flow.trackHistoryExceptColumnList(), names, problems);
    for (String reserved : List.of(START_AT, END_AT)) {
      if (names.stream().anyMatch(reserved::equalsIgnoreCase)) {
        problems.add(where + ": the source has a column named " + reserved + ", a name SCD type 2 reserves."
            + " Rename the column in the source's query.");
      }
    }
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : source.getFields()) {
      boolean selected = flow.columnList().isEmpty() ? !flow.exceptColumnList().contains(field.getName())
          : flow.columnList().contains(field.getName());
      if (selected || flow.keys().contains(field.getName())) {
        fields.add(field);
      }
    }
    if (!flow.columnList().isEmpty()) {
      flow.keys().stream().filter(k -> !flow.columnList().contains(k)).forEach(k -> problems.add(where
          + ": key '" + k + "' is not in columnList " + flow.columnList() + ". Add it: the target needs its keys."));
    }
    flow.keys().stream().filter(flow.exceptColumnList()::contains).forEach(k -> problems.add(where
        + ": key '" + k + "' is in exceptColumnList. Remove it: the target needs its keys."));
    if (flow.scdType() == 2 && flow.sequenceBy().size() >= 1 && names.containsAll(flow.sequenceBy())) {
      LogicalType sequenceType = flow.sequenceBy().size() == 1
          ? source.getTypeAt(source.getFieldIndex(flow.sequenceBy().get(0))).copy(true)
          : RowType.of(true, flow.sequenceBy().stream().map(c -> source.getTypeAt(source.getFieldIndex(c)))
              .toArray(LogicalType[]::new), flow.sequenceBy().toArray(String[]::new));
      fields.add(new RowType.RowField(START_AT, sequenceType));
      fields.add(new RowType.RowField(END_AT, sequenceType));
    }
    return new RowType(false, fields);
  }

  private static void checkColumns(String where, String option, List<String> columns, List<String> available,
      List<String> problems) {
    for (String column : columns) {
      if (!available.contains(column)) {
        problems.add(where + ": " + option + " names column '" + column + "', which the source does not have."
            + " Available columns: " + available + ".");
      }
    }
  }
}
