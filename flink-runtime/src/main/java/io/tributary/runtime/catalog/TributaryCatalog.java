package io.tributary.runtime.catalog;

import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.GenericInMemoryCatalog;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.exceptions.DatabaseNotExistException;
import org.apache.flink.table.catalog.exceptions.TableAlreadyExistException;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Flink catalog of a pipeline's tables: every Delta table under {@code <storage>/tables}, with the
 * schema of its latest version, readable with Flink SQL.
 *
 * <pre>{@code
 * tableEnv.registerCatalog("shop", TributaryCatalog.of("shop", storage));
 * tableEnv.useCatalog("shop");
 * tableEnv.executeSql("SELECT customer_id, lifetime_value FROM gold_customer_orders").print();
 * }</pre>
 *
 * The tables are listed when the catalog is made; a table written later needs a new catalog. The
 * storage's Hadoop settings ({@link PipelineStorage#settings()}, the pipeline's {@code hadoop:} block)
 * list and read the tables, and each table carries them as {@code hadoop.<key>} options of the
 * {@code tributary-delta} connector, so its scans and lookup joins read with them where they run.
 */
public final class TributaryCatalog extends GenericInMemoryCatalog {

  public static final String DATABASE = "default";

  private TributaryCatalog(String name) {
    super(name, DATABASE);
  }

  /** A catalog named {@code name} of the tables of the pipeline stored in {@code storage}. */
  public static TributaryCatalog of(String name, PipelineStorage storage) {
    TributaryCatalog catalog = new TributaryCatalog(name);
    Path tables = new Path(storage.root(), "tables");
    try {
      FileSystem fs = tables.getFileSystem(storage.hadoopConf());
      if (!fs.exists(tables)) {
        return catalog;
      }
      for (FileStatus status : fs.listStatus(tables)) {
        String table = status.getPath().getName();
        Optional<RowType> schema =
            status.isDirectory()
                ? DeltaTableReader.schema(status.getPath().toString(), storage.hadoopConf())
                : Optional.empty();
        if (schema.isPresent()) {
          catalog.register(table, status.getPath().toString(), schema.get(), storage.settings());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the tables under " + tables + ": " + e.getMessage(), e);
    }
    return catalog;
  }

  /** Registers {@code table}; its options carry the pipeline's Hadoop settings as {@code hadoop.<key>}. */
  private void register(String table, String path, RowType rowType, HadoopSettings hadoop) {
    Map<String, String> options = new java.util.TreeMap<>();
    options.put("connector", DeltaTableFactory.IDENTIFIER);
    options.put(DeltaTableFactory.PATH.key(), path);
    hadoop
        .entries()
        .forEach((key, value) -> options.put(DeltaTableFactory.HADOOP_PREFIX + key, value));
    CatalogTable catalogTable =
        CatalogTable.newBuilder()
            .schema(
                Schema.newBuilder()
                    .fromRowDataType(TypeConversions.fromLogicalToDataType(rowType))
                    .build())
            .comment("Delta table " + path)
            .options(options)
            .build();
    try {
      createTable(new ObjectPath(DATABASE, table), catalogTable, false);
    } catch (TableAlreadyExistException | DatabaseNotExistException e) {
      throw new IllegalStateException("cannot register " + table, e);
    }
  }
}
