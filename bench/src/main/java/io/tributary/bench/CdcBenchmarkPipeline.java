package io.tributary.bench;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The benchmark's change data capture stages in Tributary's DSL: the customer change feed of
 * {@code DATA/cdc} applied as SCD type 1 and type 2, with the Spark baseline's semantics (its
 * {@code RESULTS.md}), i.e. Delta Live Tables'
 *
 * <pre>
 * APPLY CHANGES INTO customers_scd1 FROM cdc KEYS (customer_id) APPLY AS DELETE WHEN operation = 'DELETE'
 *   SEQUENCE BY updated_at COLUMNS * EXCEPT (operation) STORED AS SCD TYPE 1
 * APPLY CHANGES INTO customers_scd2 FROM cdc KEYS (customer_id) APPLY AS DELETE WHEN operation = 'DELETE'
 *   SEQUENCE BY updated_at COLUMNS * EXCEPT (operation, updated_at) STORED AS SCD TYPE 2
 * </pre>
 *
 * <p>As in the baseline, the feed is read straight from the files (a view, not a bronze table) with
 * its declared schema, and changes without a key or a sequence value are left out. Configuration:
 * {@value #SOURCE_KEY} (the folder), {@value #TYPES_KEY} ({@code 1}, {@code 2} or {@code 1,2}: which
 * targets to define) and {@value #MAX_FILES_KEY} (Auto Loader's {@code maxFilesPerTrigger}; {@code 0},
 * the default, sets none: the whole feed in one micro-batch, as the baseline's default run).
 */
public final class CdcBenchmarkPipeline implements PipelineDefinition {

  /** The configuration key naming the change feed's folder ({@code DATA/cdc}). */
  public static final String SOURCE_KEY = "source.cdc";

  /** The configuration key choosing the targets: "1", "2" or "1,2". */
  public static final String TYPES_KEY = "bench.cdc.scd_types";

  /** The configuration key of the feed's {@code maxFilesPerTrigger} ("0": no limit). */
  public static final String MAX_FILES_KEY = "bench.cdc.max_files_per_trigger";

  /** The baseline's CDC schema (its {@code cdcSchema()}). */
  public static final String CDC_SCHEMA =
      "customer_id STRING, name STRING, email STRING, address STRING, operation STRING, updated_at BIGINT";

  @Override
  public void define(Pipeline p) {
    AutoLoader feed = AutoLoader.json(p.conf(SOURCE_KEY, "data/cdc")).schema(CDC_SCHEMA);
    String maxFiles = p.conf(MAX_FILES_KEY, "0");
    if (!maxFiles.equals("0")) {
      feed = feed.option("maxFilesPerTrigger", maxFiles);
    }
    p.view("cdc_customers_raw").comment("The change files as read").from(feed);
    p.view("cdc_customers")
        .comment(
            "Changes with a key and a sequence value, the baseline's columns (no _rescued_data)")
        .sql(
            "SELECT customer_id, name, email, address, operation, updated_at FROM STREAM(cdc_customers_raw) "
                + "WHERE customer_id IS NOT NULL AND updated_at IS NOT NULL");

    String types = p.conf(TYPES_KEY, "1,2");
    if (types.contains("1")) {
      p.createStreamingTable("customers_scd1").comment("Latest version of each live customer");
      p.applyChanges("customers_scd1")
          .from("cdc_customers")
          .keys("customer_id")
          .sequenceBy("updated_at")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation")
          .storedAsScdType(1);
    }
    if (types.contains("2")) {
      p.createStreamingTable("customers_scd2").comment("Every version of each customer");
      p.applyChanges("customers_scd2")
          .from("cdc_customers")
          .keys("customer_id")
          .sequenceBy("updated_at")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation", "updated_at")
          .storedAsScdType(2);
    }
  }
}
