package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sample data under {@code examples/data/} is readable by Flink's own JSON and CSV formats with
 * the schemas the examples declare (no row fails to parse), and the expected tables under
 * {@code examples/data/<pipeline>/expected/} agree with Flink SQL written independently of
 * Tributary: they are the reference the end-to-end tests of the runtime compare rows with.
 */
class SampleDataITCase {

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final Path DATA = Path.of("data").toAbsolutePath();
  private static final Path EXPECTED = Path.of("expected").toAbsolutePath();
  private static TableEnvironment tableEnv;

  @BeforeAll
  static void registerSampleData() {
    tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tableEnv.getConfig().set("parallelism.default", "2");
    register("events", EventsPipeline.BRONZE_SCHEMA, "events", "json");
    // The medallion's bronze tables declare no schema: Auto Loader types every inferred column
    // STRING.
    register(
        "orders",
        "order_id STRING, customer_id STRING, order_timestamp STRING, total_amount STRING,"
            + " status STRING",
        "medallion/orders",
        "json");
    register(
        "customers",
        "customer_id STRING, first_name STRING, last_name STRING, email STRING, city STRING",
        "medallion/customers",
        "csv");
    register(
        "transactions",
        "transaction_id STRING, user_id STRING, transaction_type STRING,"
            + " amount DECIMAL(10, 2), transaction_date DATE",
        "transactions",
        "json");
    register(
        "cdc_customers",
        "customer_id STRING, name STRING, email STRING, address STRING, phone STRING,"
            + " updated_at TIMESTAMP(3)",
        "cdc/customers",
        "json");
    register(
        "cdc_products",
        "product_id STRING, name STRING, price DECIMAL(10, 2), operation STRING,"
            + " change_timestamp TIMESTAMP(3)",
        "cdc/products",
        "json");
    register(
        "view_events",
        "event_id STRING NOT NULL, user_id STRING, event_type STRING, `timestamp` TIMESTAMP(3)",
        "views/events",
        "json");
    register(
        "users",
        "user_id STRING, name STRING, email STRING, country STRING, status STRING",
        "views/users",
        "csv");
    register(
        "mixed_events",
        "event_id STRING NOT NULL, product_id STRING, quantity INT, `timestamp` TIMESTAMP(3)",
        "mixed/events",
        "json");
    // STRING price: Flink's CSV format would fail on the header line's "price" as a DECIMAL
    register(
        "products",
        "product_id STRING, product_name STRING, category STRING, price STRING",
        "mixed/products",
        "csv");
  }

  @Test
  void everySampleRowParsesWithTheDeclaredSchema() throws IOException {
    // One job: each table's rows whose typed columns parsed, next to the lines of its files.
    // Flink's CSV format cannot skip a header line, so the header rows are filtered out by their
    // values.
    List<String> counts =
        csv(
            """
        SELECT 'events', COUNT(*) FROM events WHERE `timestamp` IS NOT NULL
        UNION ALL SELECT 'orders', COUNT(*) FROM orders
        UNION ALL SELECT 'customers', COUNT(*) FROM customers WHERE customer_id IS DISTINCT FROM 'customer_id'
        UNION ALL SELECT 'transactions', COUNT(*) FROM transactions
          WHERE amount IS NOT NULL AND transaction_date IS NOT NULL
        UNION ALL SELECT 'cdc_customers', COUNT(*) FROM cdc_customers WHERE updated_at IS NOT NULL
        UNION ALL SELECT 'cdc_products', COUNT(*) FROM cdc_products WHERE change_timestamp IS NOT NULL
        UNION ALL SELECT 'view_events', COUNT(*) FROM view_events WHERE `timestamp` IS NOT NULL
        UNION ALL SELECT 'users', COUNT(*) FROM users WHERE user_id IS DISTINCT FROM 'user_id'
        UNION ALL SELECT 'mixed_events', COUNT(*) FROM mixed_events WHERE `timestamp` IS NOT NULL
        UNION ALL SELECT 'products', COUNT(*) FROM products
          WHERE product_id IS DISTINCT FROM 'product_id' AND CAST(price AS DECIMAL(10, 2)) IS NOT NULL
        """);

    assertThat(counts)
        .containsExactlyInAnyOrder(
            "events," + lines("events"),
            "orders," + lines("medallion/orders"),
            "customers," + (lines("medallion/customers") - 1),
            "transactions," + lines("transactions"),
            "cdc_customers," + lines("cdc/customers"),
            "cdc_products," + lines("cdc/products"),
            "view_events," + lines("views/events"),
            "users," + (lines("views/users") - 1),
            "mixed_events," + lines("mixed/events"),
            "products," + (lines("mixed/products") - 1));
  }

  @Test
  void medallionGoldMatchesItsExpectedRows() throws IOException {
    List<String> actual =
        csv(
            """
        WITH silver_orders AS (
          SELECT order_id, customer_id, TO_DATE(order_timestamp) AS order_date,
                 CAST(total_amount AS DECIMAL(10, 2)) AS total_amount,
                 ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_timestamp) AS n
          FROM orders
          WHERE order_id IS NOT NULL AND CAST(total_amount AS DECIMAL(10, 2)) > 0),
        silver_customers AS (
          SELECT customer_id, CONCAT(first_name, ' ', last_name) AS full_name,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY first_name) AS n
          FROM customers
          WHERE customer_id IS NOT NULL AND customer_id <> 'customer_id')
        SELECT o.customer_id, c.full_name, COUNT(o.order_id), SUM(o.total_amount), MAX(o.order_date)
        FROM silver_orders AS o JOIN silver_customers AS c ON o.customer_id = c.customer_id
        WHERE o.n = 1 AND c.n = 1
        GROUP BY o.customer_id, c.full_name
        """);

    assertThat(actual).isEqualTo(expected("medallion/gold_customer_orders.csv"));
    assertThat(actual).hasSize(5);
  }

  @Test
  void eventsGoldMatchesItsExpectedRows() throws IOException {
    List<String> actual =
        csv(
            """
        SELECT CAST(`timestamp` AS DATE) AS event_date, event_type, COUNT(*), COUNT(DISTINCT user_id),
               AVG(JSON_VALUE(properties, '$.duration' RETURNING DOUBLE))
        FROM events
        WHERE user_id IS NOT NULL AND `timestamp` > '2020-01-01'
        GROUP BY CAST(`timestamp` AS DATE), event_type
        """);
    List<String> expected = expected("events/gold_daily_metrics.csv");

    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      String[] want = expected.get(i).split(",", -1);
      String[] got = actual.get(i).split(",", -1);
      assertThat(List.of(got).subList(0, 4)).isEqualTo(List.of(want).subList(0, 4));
      assertThat(Double.parseDouble(got[4])).isCloseTo(Double.parseDouble(want[4]), within(1e-9));
    }
  }

  @Test
  void transactionBalancesMatchTheirExpectedRows() throws IOException {
    List<String> actual =
        csv(
            """
        SELECT user_id, SUM(amount), COUNT(*)
        FROM transactions
        WHERE CASE
                WHEN transaction_type = 'refund' THEN amount < 0
                WHEN transaction_type = 'purchase' THEN amount > 0
                ELSE TRUE
              END
        GROUP BY user_id
        HAVING user_id IS NOT NULL AND SUM(amount) >= 0
        """);

    assertThat(actual).isEqualTo(expected("transactions/user_balances.csv"));
  }

  @Test
  void latestCustomerVersionsMatchTheScdType1ExpectedRows() throws IOException {
    List<String> actual =
        csv(
            """
        SELECT customer_id, name, email, address, phone, DATE_FORMAT(updated_at, 'yyyy-MM-dd HH:mm:ss')
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY updated_at DESC) AS n
              FROM cdc_customers)
        WHERE n = 1
        """);

    assertThat(actual).isEqualTo(expected("cdc/customers_scd1.csv"));
  }

  @Test
  void mixedModeEnrichedEventsMatchTheirExpectedRows() throws IOException {
    // every product is known before the events are joined: a plain left join with the whole
    // dimension
    List<String> actual =
        csv(
            """
        SELECT e.event_id, e.product_id, e.quantity, DATE_FORMAT(e.`timestamp`, 'yyyy-MM-dd HH:mm:ss'),
               p.product_name, p.category, CAST(p.price AS DECIMAL(10, 2))
        FROM mixed_events AS e
        LEFT JOIN (SELECT * FROM products WHERE product_id <> 'product_id') AS p ON e.product_id = p.product_id
        """);

    assertThat(actual).isEqualTo(expected("mixed/enriched_events.csv"));
  }

  private static void register(String table, String schema, String folder, String format) {
    String options = ", '" + format + ".ignore-parse-errors' = 'false'";
    tableEnv.executeSql(
        "CREATE TEMPORARY TABLE "
            + table
            + " ("
            + schema
            + ") WITH ('connector' = 'filesystem',"
            + " 'path' = '"
            + DATA.resolve(folder).toUri()
            + "', 'format' = '"
            + format
            + "'"
            + options
            + ")");
  }

  private static long lines(String folder) throws IOException {
    try (Stream<Path> files = Files.list(DATA.resolve(folder))) {
      long total = 0;
      for (Path file : files.toList()) {
        total += Files.readAllLines(file).stream().filter(line -> !line.isBlank()).count();
      }
      return total;
    }
  }

  /** The rows of {@code query} as CSV lines, sorted. */
  private static List<String> csv(String query) {
    return rows(query).stream()
        .map(
            row -> {
              List<String> fields = new ArrayList<>();
              for (int i = 0; i < row.getArity(); i++) {
                fields.add(row.getField(i) == null ? "" : String.valueOf(row.getField(i)));
              }
              return String.join(",", fields);
            })
        .sorted()
        .toList();
  }

  private static List<Row> rows(String query) {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = tableEnv.sqlQuery(query).execute().collect()) {
      it.forEachRemaining(rows::add);
    } catch (Exception e) {
      throw new IllegalStateException("query failed: " + query, e);
    }
    return rows;
  }

  private static List<String> expected(String file) throws IOException {
    return Files.readAllLines(EXPECTED.resolve(file)).stream()
        .skip(1)
        .sorted()
        .collect(Collectors.toList());
  }
}
