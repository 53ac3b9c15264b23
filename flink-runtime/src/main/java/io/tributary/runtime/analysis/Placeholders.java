package io.tributary.runtime.analysis;

import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.runtime.catalog.DeltaTableFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.table.api.Expressions;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.expressions.Expression;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * The analyzer's placeholder tables in its {@link RecordingCatalog}: connector {@code datagen}, zero
 * rows, never run; each carries the row type a query of it must see.
 */
final class Placeholders {

  /** The prefix of the copies the inlined check of a streaming query reads (see {@link #register}). */
  static final String INLINED_PREFIX = "__inlined_";

  /** The prefix of an external source's placeholder. */
  static final String SOURCE_PREFIX = "__source_";

  private final RecordingCatalog catalog;

  Placeholders(RecordingCatalog catalog) {
    this.catalog = catalog;
  }

  /** Registers every name under which a query reads {@code dataset}: snapshot, stream and lookup. */
  void register(String dataset, RowType rowType) {
    create(dataset, rowType);
    create(dataset + SqlText.STREAM_SUFFIX, rowType);
    // the same placeholders under other names, for the inlined check: a temporary view named like
    // the catalog table it reads would resolve to itself
    create(INLINED_PREFIX + dataset, rowType);
    create(INLINED_PREFIX + dataset + SqlText.STREAM_SUFFIX, rowType);
    createLookup(dataset + SqlText.LOOKUP_SUFFIX, rowType);
  }

  /**
   * The tables of a query as its job builds it, the views it reads inlined, over the placeholders'
   * inlined copies: what the planner makes of a query that reads views (a view's own placeholder would
   * hide its operators). The caller drops the views it registers ({@link PlanTables#dropRegisteredViews}).
   */
  static PlanTables inlined(
      TableEnvironment tableEnv,
      Map<String, DatasetSpec> datasets,
      Function<String, List<Input>> inputs,
      Map<String, String> configuration) {
    return inlined(tableEnv, datasets, inputs, configuration, Map.of());
  }

  /**
   * As {@link #inlined(TableEnvironment, Map, Function, Map)}, each table of {@code columns} read as a
   * snapshot with only the columns it names, as an incremental table's job reads it.
   */
  static PlanTables inlined(
      TableEnvironment tableEnv,
      Map<String, DatasetSpec> datasets,
      Function<String, List<Input>> inputs,
      Map<String, String> configuration,
      Map<String, List<String>> columns) {
    return new PlanTables(
        tableEnv,
        datasets::get,
        inputs,
        configuration,
        new PlanTables.PersistedTables() {
          @Override
          public Table snapshot(String name) {
            Table table = tableEnv.from(quoted(INLINED_PREFIX + name));
            List<String> read = columns.get(name);
            return read == null
                ? table
                : table.select(read.stream().map(Expressions::$).toArray(Expression[]::new));
          }

          @Override
          public Table stream(String name) {
            return tableEnv.from(quoted(INLINED_PREFIX + name + SqlText.STREAM_SUFFIX));
          }

          @Override
          public String lookup(String name) {
            return quoted(
                name + SqlText.LOOKUP_SUFFIX); // a catalog table: no temporary view shadows it
          }

          @Override
          public Table source(String name, Source source) {
            return tableEnv.from(quoted(SOURCE_PREFIX + name));
          }
        });
  }

  /** Whether {@code dataset} reads a view (as {@code inputs} says). */
  static boolean readsViews(
      String dataset, Map<String, DatasetSpec> datasets, Function<String, List<Input>> inputs) {
    return inputs.apply(dataset).stream()
        .map(i -> datasets.get(i.dataset()))
        .anyMatch(read -> read != null && read.kind() == DatasetKind.VIEW);
  }

  /** A placeholder whose rowtime column, if the row type has one, keeps its watermark. */
  void create(String name, RowType rowType) {
    Optional<String> rowtime = EventTime.rowtimeColumn(rowType);
    create(name, rowType, rowtime, rowtime.map(c -> "`" + c + "`").orElse(""));
  }

  void create(String name, RowType rowType, Optional<String> rowtime, String watermarkSql) {
    CatalogTable table =
        CatalogTable.newBuilder()
            .schema(EventTime.schema(rowType, rowtime, watermarkSql))
            .options(Map.of("connector", "datagen", "number-of-rows", "0"))
            .build();
    put(name, table);
  }

  /**
   * The dimension of a lookup join must be a table whose connector can look rows up (datagen cannot):
   * the {@code tributary-delta} connector, whose table is opened only when a job runs, so the
   * placeholder's path is never read.
   */
  private void createLookup(String name, RowType rowType) {
    CatalogTable table =
        CatalogTable.newBuilder()
            .schema(
                Schema.newBuilder()
                    .fromRowDataType(
                        TypeConversions.fromLogicalToDataType(EventTime.physical(rowType)))
                    .build())
            .options(
                Map.of(
                    "connector",
                    DeltaTableFactory.IDENTIFIER,
                    DeltaTableFactory.PATH.key(),
                    "analysis placeholder of " + name + ", never read"))
            .build();
    put(name, table);
  }

  private void put(String name, CatalogTable table) {
    try {
      catalog.createTable(new ObjectPath(RecordingCatalog.DATABASE, name), table, true);
    } catch (Exception e) {
      throw new IllegalStateException("cannot register placeholder " + name, e);
    }
  }

  static String quoted(String name) {
    return "`" + name + "`";
  }
}
