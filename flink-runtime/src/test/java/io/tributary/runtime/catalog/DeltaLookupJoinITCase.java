package io.tributary.runtime.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.storage.PipelineStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink SQL users of {@link TributaryCatalog} and the {@code tributary-delta} connector get lookup
 * joins over a pipeline's tables: on a composite key, every row of a key, inner and left, with the
 * refresh interval set in DDL.
 */
class DeltaLookupJoinITCase {

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final RowType CUSTOMERS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("region", DataTypes.STRING()),
                  DataTypes.FIELD("customer_id", DataTypes.STRING()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;

  @Test
  void aCatalogTableServesLookupJoinsOnACompositeKey() throws Exception {
    new UpstreamDeltaTable(dir.resolve("tables/customers").toString(), CUSTOMERS)
        .append(
            Row.of("eu", "c1", "Ann"),
            Row.of("us", "c1", "Abe"),
            Row.of("eu", "c2", "Bea"),
            Row.of("eu", "c2", "Bee"));
    TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tableEnv.registerCatalog(
        "shop",
        TributaryCatalog.of(
            "shop",
            PipelineStorage.at(dir.toString(), new org.apache.hadoop.conf.Configuration())));
    tableEnv.createTemporaryView(
        "orders",
        tableEnv.fromValues(
            DataTypes.ROW(
                DataTypes.FIELD("order_id", DataTypes.STRING()),
                DataTypes.FIELD("region", DataTypes.STRING()),
                DataTypes.FIELD("customer_id", DataTypes.STRING())),
            Row.of("o1", "eu", "c1"),
            Row.of("o2", "us", "c1"),
            Row.of("o3", "eu", "c2"),
            Row.of("o4", "us", "c2")));

    List<Row> inner =
        rows(
            tableEnv,
            """
        SELECT o.order_id, c.name
        FROM (SELECT *, PROCTIME() AS proc_time FROM orders) o
        JOIN shop.`default`.customers FOR SYSTEM_TIME AS OF o.proc_time AS c
          ON o.region = c.region AND o.customer_id = c.customer_id""");

    assertThat(inner)
        .containsExactlyInAnyOrder(
            Row.of("o1", "Ann"), Row.of("o2", "Abe"), Row.of("o3", "Bea"), Row.of("o3", "Bee"));

    tableEnv.executeSql(
        "CREATE TEMPORARY TABLE customers_ddl (region STRING, customer_id STRING, name STRING)"
            + " WITH ('connector' = 'tributary-delta', 'path' = '"
            + dir.resolve("tables/customers")
            + "', 'lookup.refresh-interval' = '5 min')");
    List<Row> left =
        rows(
            tableEnv,
            """
        SELECT o.order_id, c.name
        FROM (SELECT *, PROCTIME() AS proc_time FROM orders) o
        LEFT JOIN customers_ddl FOR SYSTEM_TIME AS OF o.proc_time AS c
          ON o.region = c.region AND o.customer_id = c.customer_id""");

    assertThat(left)
        .containsExactlyInAnyOrder(
            Row.of("o1", "Ann"),
            Row.of("o2", "Abe"),
            Row.of("o3", "Bea"),
            Row.of("o3", "Bee"),
            Row.of("o4", null));
  }

  private static List<Row> rows(TableEnvironment tableEnv, String query) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = tableEnv.sqlQuery(query).execute().collect()) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }
}
