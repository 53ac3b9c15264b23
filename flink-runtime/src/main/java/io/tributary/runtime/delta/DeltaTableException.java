package io.tributary.runtime.delta;

import io.tributary.dsl.plan.DefinitionErrors;
import java.util.List;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A Delta table cannot be written or read as asked, for a reason the user can fix (a column type
 * Delta cannot store, a partition column that does not exist, a table path that holds no table). Made
 * only by the factory methods here, so every message names where, what, why and the fix.
 * Internal faults stay {@link IllegalStateException}s. Never retried, by Flink's restarts or the
 * runner's: the same table and definition fail the same way until the user acts.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class DeltaTableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private DeltaTableException(String message) {
    super(message);
  }

  private DeltaTableException(String message, Throwable cause) {
    super(message, cause);
  }

  public static DeltaTableException unsupportedType(String column, String type) {
    return new DeltaTableException(
        "Column '"
            + column
            + "' has type "
            + type
            + ", which Tributary cannot store in a Delta table. Supported: STRING/VARCHAR/CHAR, BOOLEAN,"
            + " TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, TIMESTAMP_LTZ,"
            + " BINARY/VARBINARY, ARRAY, MAP, ROW. Cast the column to one of them in the query.");
  }

  static DeltaTableException unsupportedDeltaType(String column, String type) {
    return new DeltaTableException(
        "Column '"
            + column
            + "' of the Delta table has Delta type "
            + type
            + ", which Tributary cannot read into Flink. Read the table without that column.");
  }

  public static DeltaTableException badPartitionColumns(String table, List<String> problems) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': "
            + String.join("; ", problems)
            + ". Partition by top-level columns of type STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT"
            + " or DATE.");
  }

  /** A {@code DeltaSource} whose path holds no Delta table; the analyzer reports it as a definition problem. */
  public static DeltaTableException sourceNotATable(String path) {
    return new DeltaTableException(DefinitionErrors.deltaSourceNotATable(path));
  }

  static DeltaTableException notATable(String table, Throwable cause) {
    return new DeltaTableException(
        "'"
            + table
            + "' is not a Delta table (no _delta_log with a commit)."
            + " Write the table first, or check the path.",
        cause);
  }

  public static DeltaTableException lookupTableMissing(String table, Throwable cause) {
    return new DeltaTableException(
        "The lookup join's table '"
            + table
            + "' is not a Delta table (no _delta_log"
            + " with a commit). Write the table before the job that looks it up starts, or check its path.",
        cause);
  }

  public static DeltaTableException columnTypeChanged(
      String table, String column, String was, String now) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': column '"
            + column
            + "' is "
            + was
            + " in the table but the job now writes it as "
            + now
            + ". Delta cannot change a column's type in"
            + " place (files already written hold the old type). Run a full refresh of the table: tributary start"
            + " PIPELINE.yml --full-refresh-tables "
            + datasetOf(table)
            + ".");
  }

  public static DeltaTableException columnDropped(
      String table, String column, String type, List<String> written) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': column '"
            + column
            + "' ("
            + type
            + ") is in the"
            + " table but the job no longer writes it (it writes "
            + written
            + "). Only new nullable columns at"
            + " the end can be added in place; select the column again, or run a full refresh of the table:"
            + " tributary start PIPELINE.yml --full-refresh-tables "
            + datasetOf(table)
            + ".");
  }

  public static DeltaTableException columnsReordered(
      String table, List<String> existing, List<String> written) {
    return new DeltaTableException(
        "Table '"
            + table
            + "' has columns "
            + existing
            + " but the job writes "
            + written
            + ": the table's columns must come first, in their order, and new columns after them."
            + " Reorder the query's columns, or run a full refresh of the table: tributary start PIPELINE.yml"
            + " --full-refresh-tables "
            + datasetOf(table)
            + ".");
  }

  public static DeltaTableException requiredColumnsAdded(String table, List<String> columns) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': the job adds NOT NULL columns "
            + columns
            + ", but the rows already in the table have no value for them. Make the columns nullable, or run"
            + " a full refresh of the table: tributary start PIPELINE.yml --full-refresh-tables "
            + datasetOf(table)
            + ".");
  }

  /** The dataset a table path belongs to: tables live at {@code <storage>/tables/<dataset>}. */
  private static String datasetOf(String table) {
    String trimmed = table.endsWith("/") ? table.substring(0, table.length() - 1) : table;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  static DeltaTableException missingColumn(String table, String column, List<String> columns) {
    return new DeltaTableException(
        "Table '"
            + table
            + "' has no column '"
            + column
            + "'. Its columns: "
            + columns
            + ". Read only columns the table has.");
  }

  public static DeltaTableException badKeys(String table, List<String> problems) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': "
            + String.join("; ", problems)
            + ". Give an upsert table the top-level columns that identify a row as key columns, no"
            + " partition columns, and a bucket count from 1 to 99999.");
  }

  /** @param property the table property that holds the bucket count */
  public static DeltaTableException bucketsChanged(
      String table, String property, String existing, int written) {
    return new DeltaTableException(
        "Table '"
            + table
            + "' is laid out in "
            + existing
            + " buckets ("
            + property
            + ") but the job writes it with "
            + written
            + ". Rows are"
            + " found by their bucket, so the count cannot change in place: keep "
            + existing
            + " or do a full refresh of the table.");
  }

  public static DeltaTableException concurrentRewrite(
      String table, String txn, List<String> files) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': the upsert commit of transaction "
            + txn
            + " rewrites files that a concurrent commit removed or rewrote ("
            + files
            + "). Another job"
            + " (or a restore from an older savepoint) is writing the same keys of this table. Run one"
            + " writer per keyed table, then restart this flow from its latest checkpoint, or do a full"
            + " refresh of the table.");
  }

  public static DeltaTableException notBucketed(String table, String file) {
    return new DeltaTableException(
        "Table '"
            + table
            + "' has data file "
            + file
            + " outside the"
            + " bucket directories (bucket=NNNNN/) of a keyed table, so it was not written by key and"
            + " upserts cannot find its rows. Do a full refresh of the table to rewrite it as a keyed table.");
  }

  public static DeltaTableException changeCommit(String table, long version, String sourceId) {
    return new DeltaTableException(
        "Delta source '"
            + sourceId
            + "': version "
            + version
            + " of table '"
            + table
            + "' deletes or rewrites rows (an update, delete, merge or overwrite), which a stream of appends"
            + " cannot carry. To skip such commits whole and read only appended data, set"
            + " option(\"skipChangeCommits\", \"true\") on the DeltaSource; to take the change in, do a full"
            + " refresh of the tables reading it.");
  }

  public static DeltaTableException typeChanged(
      String table, long version, String column, String read, String now) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': version "
            + version
            + " has column '"
            + column
            + "' of type "
            + now
            + " but the stream reads it as "
            + read
            + ". A stream cannot change a column's"
            + " type: do a full refresh of the tables reading it.");
  }

  public static DeltaTableException staleRewrite(String table, String why) {
    return new DeltaTableException(
        "Table '"
            + table
            + "': the compaction was not committed because, while"
            + " it rewrote the files, "
            + why
            + ". Nothing changed; run the maintenance again.");
  }

  public static DeltaTableException retentionTooShort(
      java.time.Duration retention, java.time.Duration minimum) {
    return new DeltaTableException(
        "A VACUUM retention of "
            + hours(retention)
            + " is "
            + (retention.isNegative() ? "negative" : "below the safe minimum of " + hours(minimum))
            + ": it could"
            + " delete the files of an epoch still being committed, or files a reader of a recent version is"
            + " still reading. Use a retention of at least "
            + hours(minimum)
            + " (the default is the table's"
            + " delta.deletedFileRetentionDuration, 7 days unless set), or force it if no update or reader is"
            + " running (tributary maintain --force-retention).");
  }

  private static String hours(java.time.Duration d) {
    long minutes = d.toMinutes();
    return minutes % 60 == 0 ? (minutes / 60) + " h" : minutes + " min";
  }
}
