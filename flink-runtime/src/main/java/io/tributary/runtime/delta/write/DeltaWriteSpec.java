package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * Everything the Delta sink needs to write one table, validated when made so a bad spec fails while
 * the job is built, not inside a task.
 *
 * <pre>{@code
 * DeltaWriteSpec spec = DeltaWriteSpec.append("/data/tables/bronze_orders", rowType,
 *     "orders-pipeline/bronze_orders/bronze_orders/" + generation);
 * DeltaSink.write(rows, spec, "bronze_orders");
 * }</pre>
 *
 * @param tablePath Hadoop URI or local path of the table directory ({@code /tmp/x}, {@code file:///tmp/x})
 * @param appId the Delta transaction app id: pipeline + flow + table + state generation, so commits of
 *     one lineage of epochs are recognised when replayed and a full refresh starts a new lineage
 * @param overwriteVersion for {@link WriteMode#OVERWRITE}: the transaction version of this overwrite
 *     (the runner's strictly increasing update number); ignored for appends
 * @param comment the table comment, stored in the table properties under {@code comment}
 * @param properties table properties written to the table's metadata; for {@link WriteMode#UPSERT}
 *     {@value #BUCKETS_PROPERTY} sets the number of hash buckets (default {@value #DEFAULT_BUCKETS})
 * @param keyColumns for {@link WriteMode#UPSERT}: the columns whose values identify a row; empty
 *     otherwise
 */
public record DeltaWriteSpec(
    String tablePath,
    RowType rowType,
    WriteMode mode,
    String appId,
    long overwriteVersion,
    List<String> partitionColumns,
    Optional<String> comment,
    Map<String, String> properties,
    List<String> keyColumns,
    HadoopSettings hadoop)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Default target size of a data file; files also end at every checkpoint. */
  public static final long TARGET_FILE_BYTES = 128L * 1024 * 1024;

  private static final Set<LogicalTypeRoot> PARTITION_TYPES =
      Set.of(
          LogicalTypeRoot.CHAR,
          LogicalTypeRoot.VARCHAR,
          LogicalTypeRoot.BOOLEAN,
          LogicalTypeRoot.TINYINT,
          LogicalTypeRoot.SMALLINT,
          LogicalTypeRoot.INTEGER,
          LogicalTypeRoot.BIGINT,
          LogicalTypeRoot.DATE);

  /** Table property holding the number of hash buckets of a keyed ({@link WriteMode#UPSERT}) table. */
  public static final String BUCKETS_PROPERTY = "tributary.buckets";

  /**
   * Delta's table property that turns deletion vectors on or off. A new keyed table has them unless
   * it is {@code false} (merge-on-read upserts; readers need deletion vector support, reader version
   * 3); an existing table keeps what it has unless the property is set explicitly.
   */
  public static final String DELETION_VECTORS_PROPERTY = "delta.enableDeletionVectors";

  /** Buckets of a keyed table unless {@value #BUCKETS_PROPERTY} says otherwise. */
  public static final int DEFAULT_BUCKETS = 16;

  /** How the rows of a job change the table. */
  public enum WriteMode {
    /** Every epoch's rows are appended (streaming tables). */
    APPEND,
    /** All rows of the job replace the table's content in one commit at the end (materialized tables). */
    OVERWRITE,
    /**
     * The input is a changelog keyed by {@link #keyColumns()}: INSERT and UPDATE_AFTER rows replace
     * the row with their key, DELETE rows remove it (CDC targets, deduplicating tables). See {@link
     * DeltaUpsertWriterOperator}.
     */
    UPSERT
  }

  /** The canonical constructor with no key columns, as before keyed tables existed. */
  public DeltaWriteSpec(
      String tablePath,
      RowType rowType,
      WriteMode mode,
      String appId,
      long overwriteVersion,
      List<String> partitionColumns,
      Optional<String> comment,
      Map<String, String> properties) {
    this(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        comment,
        properties,
        List.of());
  }

  /** With the process's default Hadoop settings ({@link HadoopSettings#none()}). */
  public DeltaWriteSpec(
      String tablePath,
      RowType rowType,
      WriteMode mode,
      String appId,
      long overwriteVersion,
      List<String> partitionColumns,
      Optional<String> comment,
      Map<String, String> properties,
      List<String> keyColumns) {
    this(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        comment,
        properties,
        keyColumns,
        HadoopSettings.none());
  }

  public DeltaWriteSpec {
    if (tablePath == null || tablePath.isBlank()) {
      throw new IllegalArgumentException("tablePath must not be blank");
    }
    if (appId == null || appId.isBlank()) {
      throw new IllegalArgumentException("appId must not be blank");
    }
    if (mode == WriteMode.OVERWRITE
        && (overwriteVersion <= 0 || overwriteVersion == Long.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "overwriteVersion must be a positive update number below Long.MAX_VALUE: "
              + overwriteVersion);
    }
    comment = comment == null ? Optional.empty() : comment;
    partitionColumns = List.copyOf(partitionColumns);
    properties = Map.copyOf(properties);
    DeltaTypes.toStructType(rowType); // rejects unsupported column types, naming the column
    List<String> problems = new ArrayList<>();
    for (String column : partitionColumns) {
      int index = rowType.getFieldNames().indexOf(column);
      if (index < 0) {
        problems.add(
            "partition column '" + column + "' is not a column of " + rowType.getFieldNames());
      } else if (!PARTITION_TYPES.contains(rowType.getTypeAt(index).getTypeRoot())) {
        problems.add(
            "partition column '"
                + column
                + "' has type "
                + rowType.getTypeAt(index).asSummaryString());
      }
    }
    if (!problems.isEmpty()) {
      throw DeltaTableException.badPartitionColumns(tablePath, problems);
    }
    if (partitionColumns.size() == rowType.getFieldCount()) {
      throw DeltaTableException.badPartitionColumns(
          tablePath,
          List.of("every column is a partition column, so data files would have no columns"));
    }
    keyColumns = keyColumns == null ? List.of() : List.copyOf(keyColumns);
    hadoop = hadoop == null ? HadoopSettings.none() : hadoop;
    validateKeys(tablePath, rowType, mode, partitionColumns, keyColumns, properties);
  }

  private static void validateKeys(
      String tablePath,
      RowType rowType,
      WriteMode mode,
      List<String> partitionColumns,
      List<String> keyColumns,
      Map<String, String> properties) {
    List<String> problems = new ArrayList<>();
    if (mode != WriteMode.UPSERT) {
      if (!keyColumns.isEmpty()) {
        problems.add("key columns " + keyColumns + " are given for write mode " + mode);
      }
    } else {
      if (keyColumns.isEmpty()) {
        problems.add("write mode UPSERT needs at least one key column");
      }
      for (String column : keyColumns) {
        int index = rowType.getFieldNames().indexOf(column);
        if (index < 0) {
          problems.add("key column '" + column + "' is not a column of " + rowType.getFieldNames());
        } else if (!BucketKeys.KEY_TYPES.contains(rowType.getTypeAt(index).getTypeRoot())) {
          problems.add(
              "key column '"
                  + column
                  + "' has type "
                  + rowType.getTypeAt(index).asSummaryString()
                  + ", which cannot be a key (use a string,"
                  + " integer, decimal, date, timestamp or binary column)");
        }
      }
      if (Set.copyOf(keyColumns).size() != keyColumns.size()) {
        problems.add("key columns " + keyColumns + " repeat a column");
      }
      if (!partitionColumns.isEmpty()) {
        problems.add(
            "a keyed table is laid out in hash buckets and cannot also be partitioned by "
                + partitionColumns);
      }
      String buckets = properties.get(BUCKETS_PROPERTY);
      if (buckets != null && parseBuckets(buckets) <= 0) {
        problems.add(
            "table property "
                + BUCKETS_PROPERTY
                + " is '"
                + buckets
                + "', not a whole number from 1 to "
                + MAX_BUCKETS);
      }
    }
    if (!problems.isEmpty()) {
      throw DeltaTableException.badKeys(tablePath, problems);
    }
  }

  private static final int MAX_BUCKETS = 99_999;

  private static int parseBuckets(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      return n >= 1 && n <= MAX_BUCKETS ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The number of hash buckets of a keyed table ({@value #BUCKETS_PROPERTY}, default 16). */
  public int buckets() {
    String value = properties.get(BUCKETS_PROPERTY);
    return value == null ? DEFAULT_BUCKETS : parseBuckets(value);
  }

  /** Records are serialized by their components, and {@link Optional} is not serializable. */
  private Object writeReplace() {
    return new Form(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        comment.orElse(null),
        properties,
        keyColumns,
        hadoop);
  }

  private record Form(
      String tablePath,
      RowType rowType,
      WriteMode mode,
      String appId,
      long overwriteVersion,
      List<String> partitionColumns,
      String comment,
      Map<String, String> properties,
      List<String> keyColumns,
      HadoopSettings hadoop)
      implements Serializable {
    private Object readResolve() {
      return new DeltaWriteSpec(
          tablePath,
          rowType,
          mode,
          appId,
          overwriteVersion,
          partitionColumns,
          Optional.ofNullable(comment),
          properties,
          keyColumns,
          hadoop);
    }
  }

  /** An unpartitioned append-mode table with no comment or properties. */
  public static DeltaWriteSpec append(String tablePath, RowType rowType, String appId) {
    return new DeltaWriteSpec(
        tablePath, rowType, WriteMode.APPEND, appId, 1, List.of(), Optional.empty(), Map.of());
  }

  /** An unpartitioned table replaced as transaction {@code version} of {@code appId}. */
  public static DeltaWriteSpec overwrite(
      String tablePath, RowType rowType, String appId, long version) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        WriteMode.OVERWRITE,
        appId,
        version,
        List.of(),
        Optional.empty(),
        Map.of());
  }

  /**
   * An unpartitioned table written from a changelog keyed by {@code keyColumns} (upserts and
   * deletes), laid out in {@value #DEFAULT_BUCKETS} hash buckets unless {@link #withProperties} sets
   * {@value #BUCKETS_PROPERTY}.
   */
  public static DeltaWriteSpec upsert(
      String tablePath, RowType rowType, String appId, List<String> keyColumns) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        WriteMode.UPSERT,
        appId,
        1,
        List.of(),
        Optional.empty(),
        Map.of(),
        keyColumns);
  }

  public DeltaWriteSpec withPartitionColumns(List<String> columns) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        columns,
        comment,
        properties,
        keyColumns,
        hadoop);
  }

  public DeltaWriteSpec withComment(String text) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        Optional.of(text),
        properties,
        keyColumns,
        hadoop);
  }

  public DeltaWriteSpec withProperties(Map<String, String> props) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        comment,
        props,
        keyColumns,
        hadoop);
  }

  /** The same table written with the pipeline's Hadoop settings, which every writer and committer uses. */
  public DeltaWriteSpec withHadoop(HadoopSettings settings) {
    return new DeltaWriteSpec(
        tablePath,
        rowType,
        mode,
        appId,
        overwriteVersion,
        partitionColumns,
        comment,
        properties,
        keyColumns,
        settings);
  }

  /** The Hadoop configuration of these settings, made where it is called (on the task). */
  public org.apache.hadoop.conf.Configuration hadoopConf() {
    return hadoop.toConfiguration();
  }
}
