package io.tributary.runtime.catalog;

import io.tributary.runtime.delta.DeltaSnapshotSource;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code tributary-delta} table connector: reads the latest snapshot of a Delta table with
 * Tributary's {@link DeltaSnapshotSource}, so Flink SQL can query a pipeline's tables
 * ({@link TributaryCatalog} registers them with it).
 *
 * <pre>{@code
 * CREATE TABLE orders (order_id STRING, amount DOUBLE)
 *   WITH ('connector' = 'tributary-delta', 'path' = '/pipelines/shop/tables/orders');
 * }</pre>
 */
public final class DeltaTableFactory implements DynamicTableSourceFactory {

  public static final String IDENTIFIER = "tributary-delta";

  public static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue()
      .withDescription("The Delta table's folder: a local path or a Hadoop URI.");

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
    return Set.of();
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
    return new Scan(helper.getOptions().get(PATH), rowType);
  }

  /** A bounded scan of the table's latest snapshot. */
  private record Scan(String path, RowType rowType) implements ScanTableSource {
    @Override
    public ChangelogMode getChangelogMode() {
      return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
      return SourceProvider.of(DeltaSnapshotSource.bounded(path, rowType));
    }

    @Override
    public DynamicTableSource copy() {
      return new Scan(path, rowType);
    }

    @Override
    public String asSummaryString() {
      return "Delta table " + path;
    }
  }
}
