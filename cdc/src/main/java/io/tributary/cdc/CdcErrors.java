package io.tributary.cdc;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The one place where change-data-capture problems are worded. Each message names the flow (its
 * target), what is wrong, why, and how to fix it; tests assert whole messages.
 */
final class CdcErrors {

  private CdcErrors() {}

  static String snapshotTargetChanged(
      String target, long version, RowType targetType, RowType analyzed) {
    return "applyChangesFromSnapshot into '"
        + target
        + "': snapshot version "
        + version
        + " makes target columns "
        + targetType
        + ", but the pipeline was analyzed with "
        + analyzed
        + ". Keep every snapshot's columns the same.";
  }

  static String snapshotColumnsChanged(
      String target, long version, RowType type, long firstVersion, RowType firstType) {
    return "applyChangesFromSnapshot into '"
        + target
        + "': snapshot version "
        + version
        + " has columns "
        + type
        + ", unlike version "
        + firstVersion
        + " with "
        + firstType
        + ". Keep every snapshot's columns the same.";
  }

  static String unknownColumn(
      String target, String role, String column, List<String> available, String call) {
    return "applyChanges into '"
        + target
        + "': "
        + role
        + " column '"
        + column
        + "' is not a column of the source."
        + " Available columns: "
        + available
        + ". Fix the name passed to "
        + call
        + ".";
  }

  static String reservedColumn(String target, String column) {
    return "applyChanges into '"
        + target
        + "': the source has a column named '"
        + column
        + "', a name reserved"
        + " for the validity interval of SCD type 2 rows. Rename it in the source query.";
  }

  static String flagColumn(String target, String column) {
    return "applyChanges into '"
        + target
        + "': the source has a column named '"
        + column
        + "', a name reserved"
        + " for the flag Tributary computes from applyAsDeletes/applyAsTruncates. Rename it in the source query.";
  }

  static String keyNotSelected(String target, String key, List<String> selected) {
    return "applyChanges into '"
        + target
        + "': key column '"
        + key
        + "' is not among the target's columns "
        + selected
        + ", so rows could not be found by key. Add it to columnList, or remove it from"
        + " exceptColumnList.";
  }

  static String trackedNotSelected(String target, String column, List<String> selected) {
    return "applyChanges into '"
        + target
        + "': history column '"
        + column
        + "' is not among the target's columns "
        + selected
        + ". Track only columns written to the target: fix trackHistoryColumnList or"
        + " trackHistoryExceptColumnList.";
  }

  static String missing(String target, String what, String call) {
    return "applyChanges into '" + target + "' has no " + what + ". Add " + call + ".";
  }

  static String unorderedSequence(String target, String column, LogicalType type) {
    return "applyChanges into '"
        + target
        + "': sequence column '"
        + column
        + "' has type "
        + type.asSummaryString()
        + ", which has no order. Sequence by a number, string, date, time, timestamp, boolean or binary column"
        + " (or a list of them).";
  }

  static String scdType(String target, int type) {
    return "applyChanges into '"
        + target
        + "' is stored as SCD type "
        + type
        + ". Use storedAsScdType(1)"
        + " (latest row per key) or storedAsScdType(2) (a row per version).";
  }

  static String historyOnType1(String target) {
    return "applyChanges into '"
        + target
        + "' tracks history columns, but is stored as SCD type 1, which keeps"
        + " no history. Use storedAsScdType(2), or remove the history column list.";
  }

  /** A change whose key is NULL: {@link #nullKey} as the data's fault. */
  static ChangeDataException nullKeyChange(
      String target, List<String> keyColumns, List<String> nullColumns, String row) {
    return new ChangeDataException(nullKey(target, keyColumns, nullColumns, row));
  }

  /** A change whose sequence value is NULL: {@link #nullSequence} as the data's fault. */
  static ChangeDataException nullSequenceChange(
      String target, List<String> sequenceColumns, List<String> nullColumns, String row) {
    return new ChangeDataException(nullSequence(target, sequenceColumns, nullColumns, row));
  }

  static ChangeDataException snapshotTargetChangedChange(
      String target, long version, RowType targetType, RowType analyzed) {
    return new ChangeDataException(snapshotTargetChanged(target, version, targetType, analyzed));
  }

  static ChangeDataException snapshotColumnsChangedChange(
      String target, long version, RowType type, long firstVersion, RowType firstType) {
    return new ChangeDataException(
        snapshotColumnsChanged(target, version, type, firstVersion, firstType));
  }

  static ChangeDataException duplicateSnapshotKey(String target, long version, String key) {
    return new ChangeDataException(
        "applyChangesFromSnapshot into '"
            + target
            + "': snapshot version "
            + version
            + " has more than one row with key "
            + key
            + ". A snapshot holds one row per key: deduplicate"
            + " the source.");
  }

  static String nullKey(
      String target, List<String> keyColumns, List<String> nullColumns, String row) {
    return "applyChanges into '"
        + target
        + "': a change has a NULL key in "
        + nullColumns.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "))
        + " (keys "
        + keyColumns
        + "), and changes without a key would all replace each other. Row: "
        + row
        + ". Fill the key in the source, or drop such rows before applyChanges, e.g. with"
        + " expectOrDrop(\"has_key\", \""
        + nullColumns.get(0)
        + " IS NOT NULL\") on its source.";
  }

  static String nullSequence(
      String target, List<String> sequenceColumns, List<String> nullColumns, String row) {
    return "applyChanges into '"
        + target
        + "': a change has a NULL sequence value in "
        + nullColumns.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "))
        + " (sequenceBy "
        + sequenceColumns
        + "), so it cannot be ordered against the other changes of its key."
        + " Row: "
        + row
        + ". Fill the sequence column in the source, or filter such rows out before applyChanges.";
  }
}
