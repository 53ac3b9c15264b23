package io.tributary.examples;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.concat;
import static org.apache.flink.table.api.Expressions.lit;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The seed's "Complete Pipeline Example", and Tributary's demo: orders (JSON) and customers (CSV)
 * are ingested incrementally, cleaned, deduplicated and validated, then joined into one row of
 * lifetime figures per customer.
 *
 * <pre>
 * bronze_orders    (streaming, Auto Loader JSON) -> silver_orders    (streaming) -+
 *                                                                                 +-> gold_customer_orders (table)
 * bronze_customers (streaming, Auto Loader CSV)  -> silver_customers (streaming) -+
 * </pre>
 *
 * <p>As in the seed, the bronze tables declare no schema: Auto Loader infers the columns and types
 * them {@code STRING}, and the silver layer casts what it needs ({@code TO_DATE},
 * {@code DECIMAL(10, 2)}). The silver layer shows both ways to write a query: Flink SQL with
 * {@code STREAM(name)} for a stream read, and the Table API with {@code ctx.readStream}.
 *
 * <p>Sample data: {@code examples/data/medallion/orders/} and {@code examples/data/medallion/customers/}
 * (configuration keys {@value #ORDERS_KEY} and {@value #CUSTOMERS_KEY}; the defaults are relative to
 * the repository root).
 */
public final class MedallionPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of order files (newline-delimited JSON). */
  public static final String ORDERS_KEY = "source.orders";

  /** The configuration key naming the folder of customer files (CSV with a header line). */
  public static final String CUSTOMERS_KEY = "source.customers";

  @Override
  public void define(Pipeline p) {
    // ========== BRONZE ==========
    p.streamingTable("bronze_orders")
        .tableProperty("quality", "bronze")
        .from(AutoLoader.json(p.conf(ORDERS_KEY, "examples/data/medallion/orders")));

    p.streamingTable("bronze_customers")
        .tableProperty("quality", "bronze")
        .from(
            AutoLoader.csv(p.conf(CUSTOMERS_KEY, "examples/data/medallion/customers"))
                .option("header", "true"));

    // ========== SILVER ==========
    p.streamingTable("silver_orders")
        .tableProperty("quality", "silver")
        .sql(
            """
            SELECT
              order_id,
              customer_id,
              order_timestamp,
              TO_DATE(order_timestamp) AS order_date,
              CAST(total_amount AS DECIMAL(10, 2)) AS total_amount,
              status
            FROM STREAM(bronze_orders)
            """)
        .dropDuplicates("order_id")
        .expectOrDrop("valid_order_id", "order_id IS NOT NULL")
        .expectOrDrop("positive_amount", "total_amount > 0");

    p.streamingTable("silver_customers")
        .tableProperty("quality", "silver")
        .query(
            ctx ->
                ctx.readStream("bronze_customers")
                    .addColumns(concat($("first_name"), lit(" "), $("last_name")).as("full_name")))
        .dropDuplicates("customer_id")
        .expectOrDrop("valid_customer", "customer_id IS NOT NULL");

    // ========== GOLD ==========
    // dlt.read is a snapshot read: the join and aggregate are recomputed over both silver tables.
    p.table("gold_customer_orders")
        .tableProperty("quality", "gold")
        .sql(
            """
            SELECT
              o.customer_id,
              c.full_name,
              COUNT(o.order_id) AS total_orders,
              SUM(o.total_amount) AS lifetime_value,
              MAX(o.order_date) AS last_order_date
            FROM silver_orders AS o
            JOIN silver_customers AS c ON o.customer_id = c.customer_id
            GROUP BY o.customer_id, c.full_name
            """);
  }
}
