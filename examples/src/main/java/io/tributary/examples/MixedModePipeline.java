package io.tributary.examples;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The seed's "Mixed Mode": a streaming table that joins a stream of events with a batch dimension,
 * {@code events.join(products, "product_id", "left")}.
 *
 * <pre>
 * products (streaming, CSV) -> dim_products (table) ------------- lookup --+
 *                                                                          |
 * streaming_events (streaming, JSON) --------------------------- stream --+-> enriched_events (streaming)
 * </pre>
 *
 * <p>The stream-static join is a lookup join: each update writes {@code dim_products} first, then
 * each new event meets its latest version (an unknown or missing {@code product_id} keeps NULL
 * product columns). No state is kept for either side, so {@code enriched_events} stays append-only
 * and rows written by earlier updates keep the product columns they met. In SQL the same flow reads:
 *
 * <pre>{@code
 * SELECT e.*, d.product_name, d.category, d.price
 * FROM (SELECT *, PROCTIME() AS proc_time FROM STREAM(streaming_events)) e
 * LEFT JOIN dim_products FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.product_id = d.product_id
 * }</pre>
 *
 * <p>The seed reads {@code streaming_events} and {@code dim_products} without defining them: here
 * events are ingested from JSON and products from CSV, and {@code dim_products} keeps the columns
 * events are enriched with. Sample data: {@code examples/data/mixed/} (configuration keys
 * {@value #PRODUCTS_KEY} and {@value #EVENTS_KEY}).
 */
public final class MixedModePipeline implements PipelineDefinition {

  /** The configuration key naming the folder of product files (CSV with a header line). */
  public static final String PRODUCTS_KEY = "source.products";

  /** The configuration key naming the folder of event files (newline-delimited JSON). */
  public static final String EVENTS_KEY = "source.mixed_events";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("products")
        .from(
            AutoLoader.csv(p.conf(PRODUCTS_KEY, "examples/data/mixed/products"))
                .option("header", "true")
                .schema(
                    "product_id STRING, product_name STRING, category STRING, price DECIMAL(10, 2)"));

    // Batch dimension: recomputed on every update, before the events are joined with it.
    p.table("dim_products")
        .comment("The products events are enriched with")
        .sql("SELECT product_id, product_name, category, price FROM products");

    // Streaming source
    p.streamingTable("streaming_events")
        .from(
            AutoLoader.json(p.conf(EVENTS_KEY, "examples/data/mixed/events"))
                .schema(
                    "event_id STRING NOT NULL, product_id STRING, quantity INT, `timestamp` TIMESTAMP(3)"));

    // Stream-static join: each new event with the latest products
    p.streamingTable("enriched_events")
        .query(
            ctx ->
                ctx.leftLookupJoin(
                    ctx.readStream("streaming_events"), "dim_products", "product_id"));
  }
}
