package io.tributary.examples;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The seed's change data capture examples ("Apply Changes for SCD Type 1", "SCD Type 2 (History
 * Tracking)", "Handling Deletes"): change feeds ingested as streaming tables and applied by key to
 * targets declared with {@code createStreamingTable}.
 *
 * <pre>
 * cdc_customers_raw (streaming, JSON) -> customers_scd1 (apply changes, SCD type 1)
 *                                     -> customers_scd2 (apply changes, SCD type 2)
 * cdc_products      (streaming, JSON) -> products       (apply changes with deletes and truncates)
 * </pre>
 *
 * <p>The sample changes arrive out of order (a file's order is not {@code updated_at} order), include
 * a change delivered twice, a change to an untracked column ({@code phone}: SCD type 2 updates the
 * current version in place), deletes (one arriving late), a truncate, and an update arriving before
 * its insert. Applied by sequence, they converge to the same tables as the changes in order.
 *
 * <p>Sample data: {@code examples/data/cdc/customers/} and {@code examples/data/cdc/products/}
 * (configuration keys {@value #CUSTOMERS_KEY} and {@value #PRODUCTS_KEY}).
 */
public final class CdcPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of customer change files. */
  public static final String CUSTOMERS_KEY = "source.cdc_customers";

  /** The configuration key naming the folder of product change files. */
  public static final String PRODUCTS_KEY = "source.cdc_products";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("cdc_customers_raw")
        .comment("Customer changes as captured from the source database")
        .from(
            AutoLoader.json(p.conf(CUSTOMERS_KEY, "examples/data/cdc/customers"))
                .schema(
                    "customer_id STRING, name STRING, email STRING, address STRING, phone STRING, updated_at TIMESTAMP(3)"));

    p.createStreamingTable("customers_scd1").comment("Latest version of each customer");
    p.applyChanges("customers_scd1")
        .from("cdc_customers_raw")
        .keys("customer_id")
        .sequenceBy("updated_at")
        .storedAsScdType(1);

    p.createStreamingTable("customers_scd2")
        .comment("Every version of each customer's name, email and address");
    p.applyChanges("customers_scd2")
        .from("cdc_customers_raw")
        .keys("customer_id")
        .sequenceBy("updated_at")
        .storedAsScdType(2)
        .trackHistoryColumnList("name", "email", "address");

    p.streamingTable("cdc_products")
        .from(
            AutoLoader.json(p.conf(PRODUCTS_KEY, "examples/data/cdc/products"))
                .schema(
                    "product_id STRING, name STRING, price DECIMAL(10, 2), operation STRING, change_timestamp TIMESTAMP(3)"));

    p.createStreamingTable("products");
    p.applyChanges("products")
        .from("cdc_products")
        .keys("product_id")
        .sequenceBy("change_timestamp")
        .applyAsDeletes("operation = 'DELETE'")
        .applyAsTruncates("operation = 'TRUNCATE'")
        // Not in the seed: keeps the change's bookkeeping column out of the table.
        .exceptColumnList("operation");
  }
}
