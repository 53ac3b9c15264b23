package io.tributary.examples;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.lit;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import org.apache.flink.table.api.DataTypes;

/**
 * The seed's events pipeline ("Basic Table", "Streaming Table with Schema", "Silver Layer
 * Transformation", "Gold Layer Aggregation"): raw JSON events are ingested with a declared schema,
 * cleaned and validated as a stream, and aggregated per day and event type.
 *
 * <pre>
 * bronze_events (streaming, Auto Loader JSON) -> silver_events (streaming) -> gold_daily_metrics (table)
 * </pre>
 *
 * <p>Where the seed leaves something undefined, this example defines it:
 * <ul>
 *   <li>{@code properties_schema}: {@code properties} is a JSON object string with {@code page}
 *       (string), {@code device} (string) and {@code duration} (seconds, a number). The seed's
 *       {@code properties_parsed.*} becomes those three columns, read with {@code JSON_VALUE}; a
 *       missing or malformed {@code properties} gives NULLs, as Spark's {@code from_json} does.
 *   <li>{@code duration}, which the gold table averages, is therefore one of those parsed fields.
 * </ul>
 *
 * <p>Sample data: {@code examples/data/events/} (configuration key {@value #SOURCE_KEY}; the default
 * is relative to the repository root).
 */
public final class EventsPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of event files. */
  public static final String SOURCE_KEY = "source.events";

  /**
   * The seed's declared schema as Flink DDL. {@code timestamp} is a reserved word in Flink SQL, so it
   * is backquoted here and in every constraint that names it. The seed declares {@code user_id} and
   * {@code timestamp} non-nullable, but Spark makes file-source columns nullable whatever the schema
   * says and leaves missing values to the expectations; this schema says so explicitly, so a row with
   * no {@code user_id} reaches {@code silver_events} and is dropped there by {@code valid_user_id}.
   */
  public static final String BRONZE_SCHEMA =
      "event_id STRING NOT NULL, user_id STRING, event_type STRING, `timestamp` TIMESTAMP(3), properties STRING";

  @Override
  public void define(Pipeline p) {
    // ========== BRONZE ==========
    p.streamingTable("bronze_events")
        .comment("Raw events ingested via Auto Loader")
        .tableProperty("quality", "bronze")
        .from(AutoLoader.json(p.conf(SOURCE_KEY, "examples/data/events")).schema(BRONZE_SCHEMA));

    // ========== SILVER ==========
    // dlt.read_stream("bronze_events") is ctx.readStream: each update reads only the new events.
    p.streamingTable("silver_events")
        .comment("Cleaned and validated events")
        .tableProperty("quality", "silver")
        .query(
            ctx ->
                ctx.readStream("bronze_events")
                    .select(
                        $("event_id"),
                        $("user_id"),
                        $("event_type"),
                        $("timestamp"),
                        $("timestamp").cast(DataTypes.DATE()).as("event_date"),
                        $("properties").jsonValue("$.page").as("page"),
                        $("properties").jsonValue("$.device").as("device"),
                        $("properties").jsonValue("$.duration", DataTypes.DOUBLE()).as("duration")))
        .expectOrDrop("valid_user_id", "user_id IS NOT NULL")
        // The seed's constraint verbatim: the quality module quotes the column for Flink SQL, where
        // timestamp is a reserved word.
        .expectOrDrop("valid_timestamp", "timestamp > '2020-01-01'");

    // ========== GOLD ==========
    // An unwindowed GROUP BY updates its rows, so it is a materialized table, not a streaming table
    // (refreshed incrementally from silver_events' new rows: its planning_information event says
    // so).
    p.table("gold_daily_metrics")
        .comment("Daily aggregated metrics")
        .tableProperty("quality", "gold")
        .query(
            ctx ->
                ctx.read("silver_events")
                    .groupBy($("event_date"), $("event_type"))
                    .select(
                        $("event_date"),
                        $("event_type"),
                        lit(1).count().as("event_count"),
                        $("user_id").count().distinct().as("unique_users"),
                        $("duration").avg().as("avg_duration")));
  }
}
