package io.tributary.runtime.delta;

import java.util.List;

/**
 * A Delta table cannot be written or read as asked, for a reason the user can fix (a column type
 * Delta cannot store, a partition column that does not exist, a table path that holds no table). Made
 * only by the factory methods here, so every message names where, what, why and the fix.
 * Internal faults stay {@link IllegalStateException}s.
 */
public final class DeltaTableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private DeltaTableException(String message) {
    super(message);
  }

  private DeltaTableException(String message, Throwable cause) {
    super(message, cause);
  }

  static DeltaTableException unsupportedType(String column, String type) {
    return new DeltaTableException("Column '" + column + "' has type " + type
        + ", which Tributary cannot store in a Delta table. Supported: STRING/VARCHAR/CHAR, BOOLEAN,"
        + " TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, TIMESTAMP_LTZ,"
        + " BINARY/VARBINARY, ARRAY, MAP, ROW. Cast the column to one of them in the query.");
  }

  static DeltaTableException unsupportedDeltaType(String column, String type) {
    return new DeltaTableException("Column '" + column + "' of the Delta table has Delta type " + type
        + ", which Tributary cannot read into Flink. Read the table without that column.");
  }

  static DeltaTableException badPartitionColumns(String table, List<String> problems) {
    return new DeltaTableException("Table '" + table + "': " + String.join("; ", problems)
        + ". Partition by top-level columns of type STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT"
        + " or DATE.");
  }

  static DeltaTableException notATable(String table, Throwable cause) {
    return new DeltaTableException("'" + table + "' is not a Delta table (no _delta_log with a commit)."
        + " Write the table first, or check the path.", cause);
  }

  static DeltaTableException schemaMismatch(String table, String existing, String written) {
    return new DeltaTableException("Table '" + table + "' has schema " + existing
        + " but the job writes " + written + ". Adding or changing columns needs a full refresh"
        + " of the table.");
  }

  static DeltaTableException missingColumn(String table, String column, List<String> columns) {
    return new DeltaTableException("Table '" + table + "' has no column '" + column + "'. Its columns: "
        + columns + ". Read only columns the table has.");
  }

  static DeltaTableException badKeys(String table, List<String> problems) {
    return new DeltaTableException("Table '" + table + "': " + String.join("; ", problems)
        + ". Give an upsert table the top-level columns that identify a row as key columns, no"
        + " partition columns, and a bucket count from 1 to 99999.");
  }

  static DeltaTableException bucketsChanged(String table, String existing, int written) {
    return new DeltaTableException("Table '" + table + "' is laid out in " + existing + " buckets ("
        + DeltaWriteSpec.BUCKETS_PROPERTY + ") but the job writes it with " + written + ". Rows are"
        + " found by their bucket, so the count cannot change in place: keep " + existing
        + " or do a full refresh of the table.");
  }

  static DeltaTableException concurrentRewrite(String table, String txn, List<String> files) {
    return new DeltaTableException("Table '" + table + "': the upsert commit of transaction " + txn
        + " rewrites files that a concurrent commit removed or rewrote (" + files + "). Another job"
        + " (or a restore from an older savepoint) is writing the same keys of this table. Run one"
        + " writer per keyed table, then restart this flow from its latest checkpoint, or do a full"
        + " refresh of the table.");
  }

  static DeltaTableException notBucketed(String table, String file) {
    return new DeltaTableException("Table '" + table + "' has data file " + file + " outside the"
        + " bucket directories (bucket=NNNNN/) of a keyed table, so it was not written by key and"
        + " upserts cannot find its rows. Do a full refresh of the table to rewrite it as a keyed table.");
  }

  static DeltaTableException staleRewrite(String table, String why) {
    return new DeltaTableException("Table '" + table + "': the compaction was not committed because, while"
        + " it rewrote the files, " + why + ". Nothing changed; run the maintenance again.");
  }

  static DeltaTableException retentionTooShort(java.time.Duration retention, java.time.Duration minimum) {
    return new DeltaTableException("A VACUUM retention of " + hours(retention) + " is "
        + (retention.isNegative() ? "negative" : "below the safe minimum of " + hours(minimum)) + ": it could"
        + " delete the files of an epoch still being committed, or files a reader of a recent version is"
        + " still reading. Use a retention of at least " + hours(minimum) + " (the default is the table's"
        + " delta.deletedFileRetentionDuration, 7 days unless set), or force it if no update or reader is"
        + " running (tributary maintain --force-retention).");
  }

  private static String hours(java.time.Duration d) {
    long minutes = d.toMinutes();
    return minutes % 60 == 0 ? (minutes / 60) + " h" : minutes + " min";
  }
}
