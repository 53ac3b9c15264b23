package io.tributary.examples.guide;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * docs/from-delta-live-tables.md, "Change data capture": {@code apply_changes} with each of its
 * options, and {@code apply_changes_from_snapshot}.
 */
public final class GuideCdcPipeline implements PipelineDefinition {

  @Override
  public void define(Pipeline p) {
    p.streamingTable("cdc_customers_raw")
        .from(AutoLoader.json(p.conf("source.customers", "/data/cdc/customers")).schema(
            "customer_id STRING, name STRING, email STRING, address STRING, phone STRING, updated_at BIGINT"));
    p.streamingTable("cdc_products")
        .from(AutoLoader.json(p.conf("source.products", "/data/cdc/products")).schema(
            "product_id STRING, name STRING, price DOUBLE, operation STRING, change_timestamp BIGINT"));
    p.table("products_export")
        .from(AutoLoader.csv(p.conf("source.export", "/data/export")).option("header", "true")
            .schema("product_id STRING, name STRING, price DOUBLE"));

    // guide:apply-changes
    p.createStreamingTable("customers_scd1");              // dlt.create_streaming_table
    p.applyChanges("customers_scd1")                       // dlt.apply_changes(target=…)
        .from("cdc_customers_raw")                         // source=
        .keys("customer_id")                               // keys=
        .sequenceBy("updated_at")                          // sequence_by=
        .ignoreNullUpdates(true)                           // ignore_null_updates=True
        .columnList("customer_id", "name", "email", "updated_at") // column_list=
        .storedAsScdType(1);                               // stored_as_scd_type=1

    p.createStreamingTable("customers_scd2");
    p.applyChanges("customers_scd2")
        .from("cdc_customers_raw")
        .keys("customer_id")
        .sequenceBy("updated_at")
        .storedAsScdType(2)                                // stored_as_scd_type=2
        .trackHistoryColumnList("name", "email", "address"); // track_history_column_list=

    p.createStreamingTable("products");
    p.applyChanges("products")
        .from("cdc_products")
        .keys("product_id")
        .sequenceBy("change_timestamp")
        .applyAsDeletes("operation = 'DELETE'")            // apply_as_deletes=F.expr(…)
        .applyAsTruncates("operation = 'TRUNCATE'")        // apply_as_truncates=F.expr(…)
        .exceptColumnList("operation");                    // except_column_list=
    // end

    // guide:snapshot
    p.createStreamingTable("products_history");
    p.applyChangesFromSnapshot("products_history")       // dlt.apply_changes_from_snapshot
        .fromSnapshot("products_export")                  // source="products_export"
        .keys("product_id")
        .storedAsScdType(2)
        .trackHistoryExceptColumnList("name");            // track_history_except_column_list=
    // end
  }
}
