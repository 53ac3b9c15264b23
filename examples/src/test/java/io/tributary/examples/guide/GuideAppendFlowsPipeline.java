package io.tributary.examples.guide;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * docs/from-delta-live-tables.md, "Append flows" and "Auto Loader options": several flows into one
 * streaming table, a one-time backfill, and an inferred schema with Auto Loader's options.
 */
public final class GuideAppendFlowsPipeline implements PipelineDefinition {

  @Override
  public void define(Pipeline p) {
    // guide:append-flows
    String schema = "id STRING, region STRING, amount DOUBLE";
    p.createStreamingTable("all_orders").expectOrDrop("has_id", "id IS NOT NULL");
    p.appendFlow("from_us").target("all_orders")                       // @dlt.append_flow(target=…)
        .from(AutoLoader.json(p.conf("source.us", "/data/us")).schema(schema));
    p.appendFlow("from_eu").target("all_orders")
        .from(AutoLoader.json(p.conf("source.eu", "/data/eu")).schema(schema));
    p.appendFlow("backfill").target("all_orders")                      // once=True
        .from(AutoLoader.csv(p.conf("source.history", "/data/history")).option("header", "true").schema(schema))
        .once();
    // end

    // guide:auto-loader
    p.streamingTable("bronze_clicks")
        .from(AutoLoader.json(p.conf("source.clicks", "/data/clicks"))  // cloudFiles.format = json
            .option("cloudFiles.inferColumnTypes", "true")
            .option("cloudFiles.schemaHints", "clicked_at TIMESTAMP(3)")
            .option("cloudFiles.schemaEvolutionMode", "addNewColumns")
            .option("rescuedDataColumn", "_rescued")
            .option("cloudFiles.maxFilesPerTrigger", "1")
            .option("pathGlobFilter", "*.json"));
    // end
  }
}
