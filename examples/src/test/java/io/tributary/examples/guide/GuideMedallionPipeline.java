package io.tributary.examples.guide;

import static org.apache.flink.table.api.Expressions.$;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import org.apache.flink.table.api.DataTypes;

/**
 * docs/from-delta-live-tables.md, "Tables, streaming tables and reads": the seed's bronze, silver and
 * gold tables ({@code @dlt.table}, Auto Loader with a declared schema, {@code dlt.read_stream},
 * {@code expect_or_drop}, {@code dlt.read}). The regions between {@code // guide:NAME} and
 * {@code // end} are the guide's code blocks, compared by {@code FromDeltaLiveTablesGuideTest}.
 */
public final class GuideMedallionPipeline implements PipelineDefinition {

  @Override
  public void define(Pipeline p) {
    // guide:bronze
    p.streamingTable("bronze_events")
        .comment("Raw events ingested via Auto Loader")
        .tableProperty("quality", "bronze")
        .from(AutoLoader.json(p.conf("source.events", "/mnt/data/events"))
            .schema("event_id STRING NOT NULL, user_id STRING, event_type STRING, `timestamp` TIMESTAMP(3)"));
    // end

    // guide:silver
    p.streamingTable("silver_events")
        .comment("Cleaned and validated events")
        .query(ctx -> ctx.readStream("bronze_events").select(
            $("event_id"),
            $("user_id"),
            $("event_type"),
            $("timestamp"),
            $("timestamp").cast(DataTypes.DATE()).as("event_date")))
        .expectOrDrop("valid_user_id", "user_id IS NOT NULL")
        .expectOrDrop("valid_timestamp", "timestamp > '2020-01-01'");
    // end

    // guide:gold
    p.table("gold_daily_metrics")
        .comment("Daily aggregated metrics")
        .sql("""
            SELECT event_date, event_type, COUNT(*) AS event_count, COUNT(DISTINCT user_id) AS unique_users
            FROM silver_events
            GROUP BY event_date, event_type""");
    // end
  }
}
