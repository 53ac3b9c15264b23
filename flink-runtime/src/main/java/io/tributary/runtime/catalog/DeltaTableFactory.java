package io.tributary.runtime.catalog;

import io.tributary.runtime.delta.read.DeltaLookupFunction;
import io.tributary.runtime.delta.read.DeltaSnapshotSource;
import io.tributary.runtime.storage.HadoopSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code tributary-delta} table connector: reads the latest snapshot of a Delta table with
 * Tributary's {@link DeltaSnapshotSource}, so Flink SQL can query a pipeline's tables
 * ({@link TributaryCatalog} registers them with it), and serves Flink lookup joins
 * ({@code FOR SYSTEM_TIME AS OF} a processing-time attribute) with {@link DeltaLookupFunction}: each
 * subtask holds the table's latest version in memory and reloads it when the table gets a new
 * version, checked at most once per {@code lookup.refresh-interval}.
 *
 * <pre>{@code
 * CREATE TABLE dim_users (user_id STRING, name STRING)
 *   WITH ('connector' = 'tributary-delta', 'path' = '/pipelines/shop/tables/dim_users');
 * SELECT e.event_id, d.name
 * FROM (SELECT *, PROCTIME() AS proc_time FROM events) e
 * LEFT JOIN dim_users FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.user_id = d.user_id;
 * }</pre>
 */
public final class DeltaTableFactory implements DynamicTableSourceFactory {

  public static final String IDENTIFIER = "tributary-delta";

  /**
   * Options {@code hadoop.<key>} are Hadoop settings ({@code hadoop.fs.s3a.endpoint}) the table is
   * read with, on the JobManager and the TaskManagers.
   */
  public static final String HADOOP_PREFIX = "hadoop.";

  public static final ConfigOption<String> PATH =
      ConfigOptions.key("path")
          .stringType()
          .noDefaultValue()
          .withDescription("The Delta table's folder: a local path or a Hadoop URI.");

  public static final ConfigOption<Duration> LOOKUP_REFRESH_INTERVAL =
      ConfigOptions.key("lookup.refresh-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "In a lookup join, how long a loaded version of the table is served before the table"
                  + " is checked for a newer version (and reloaded if it has one).");

  public static final ConfigOption<DeltaLookupFunction.MissingTable> LOOKUP_MISSING_TABLE =
      ConfigOptions.key("lookup.missing-table")
          .enumType(DeltaLookupFunction.MissingTable.class)
          .defaultValue(DeltaLookupFunction.MissingTable.FAIL)
          .withDescription(
              "In a lookup join, what a table that does not exist yet does: FAIL the job, or serve"
                  + " no rows (EMPTY) until the table is created.");

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(PATH);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(LOOKUP_REFRESH_INTERVAL, LOOKUP_MISSING_TABLE);
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validateExcept(HADOOP_PREFIX);
    RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
    Map<String, String> hadoop = new TreeMap<>();
    context
        .getCatalogTable()
        .getOptions()
        .forEach(
            (key, value) -> {
              if (key.startsWith(HADOOP_PREFIX)) {
                hadoop.put(key.substring(HADOOP_PREFIX.length()), value);
              }
            });
    return new Source(
        helper.getOptions().get(PATH),
        rowType,
        helper.getOptions().get(LOOKUP_REFRESH_INTERVAL),
        helper.getOptions().get(LOOKUP_MISSING_TABLE),
        HadoopSettings.of(hadoop));
  }

  /**
   * A bounded scan of the table's latest snapshot, or the lookup side of a lookup join. The planner
   * pushes the columns a query uses into it ({@link SupportsProjectionPushDown}), so only those
   * Parquet columns are read: a query over a wide table pays for the columns it names.
   */
  static final class Source
      implements ScanTableSource, LookupTableSource, SupportsProjectionPushDown {
    private final String path;
    private final Duration refreshInterval;
    private final DeltaLookupFunction.MissingTable missingTable;
    private final HadoopSettings hadoop;
    private RowType rowType;

    Source(
        String path,
        RowType rowType,
        Duration refreshInterval,
        DeltaLookupFunction.MissingTable missingTable,
        HadoopSettings hadoop) {
      this.path = path;
      this.rowType = rowType;
      this.refreshInterval = refreshInterval;
      this.missingTable = missingTable;
      this.hadoop = hadoop;
    }

    /** The columns this source reads: the table's, or those the planner pushed into it. */
    RowType rowType() {
      return rowType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
      return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
      return SourceProvider.of(DeltaSnapshotSource.bounded(path, rowType).withHadoop(hadoop));
    }

    @Override
    public boolean supportsNestedProjection() {
      return false;
    }

    /** Top-level columns only: Kernel reads columns by name, so the projected type is the read schema. */
    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
      rowType = (RowType) producedDataType.getLogicalType();
    }

    @Override
    public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
      int[][] keyPaths = context.getKeys();
      int[] keys = new int[keyPaths.length];
      for (int i = 0; i < keyPaths.length; i++) {
        if (keyPaths[i].length != 1) {
          throw new ValidationException(
              "A lookup join on Delta table "
                  + path
                  + " joins on a nested field;"
                  + " join on top-level columns of the table.");
        }
        keys[i] = keyPaths[i][0];
      }
      return LookupFunctionProvider.of(
          new DeltaLookupFunction(path, rowType, keys, refreshInterval, missingTable, hadoop));
    }

    @Override
    public DynamicTableSource copy() {
      return new Source(path, rowType, refreshInterval, missingTable, hadoop);
    }

    @Override
    public String asSummaryString() {
      return "Delta table " + path;
    }
  }
}
