package io.tributary.runtime.analysis;

import io.tributary.runtime.catalog.DeltaTableFactory;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectPath;
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
