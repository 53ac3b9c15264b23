package io.tributary.bench;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The benchmark's medallion workload (events part) in Tributary's DSL, the same tables the Spark
 * baseline ({@code ../shared/bench/spark-baseline}) builds, so that both engines are timed on the same
 * work and their gold tables can be compared row by row.
 *
 * <pre>
 * bronze_events (streaming, Auto Loader JSON, declared schema)
 *   -> silver_events (streaming: two expectOrDrop rules, derived event_date, dropDuplicates(event_id))
 *   -> gold_daily_metrics (materialized: per event_date and event_type, count, distinct users, avg duration)
 * </pre>
 *
 * <p>Semantics follow the baseline: bronze keeps {@code timestamp} as the raw ISO-8601 text (Spark's
 * schema declares it a string), silver parses it as a UTC instant and derives {@code event_date} in UTC;
 * {@code amount} is {@code DECIMAL(10,2)}, {@code properties} stays a JSON string. A malformed line
 * becomes a row of NULLs with the line in {@code _rescued_data} (Spark's PERMISSIVE mode keeps it as an
 * all-null row), so both engines drop it in silver through {@code valid_user_id}.
 *
 * <p>{@value #LAYERS_KEY} ({@code bronze}, {@code silver} or {@code gold}, the default) says how deep
 * the pipeline goes: the ingest benchmark runs bronze alone, the freshness benchmark bronze and silver.
 * The baseline's CDC stages (SCD type 1 and 2 from {@code DATA/cdc}) are {@link CdcBenchmarkPipeline}.
 */
public final class BenchmarkPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of event files ({@code DATA/events}). */
  public static final String SOURCE_KEY = "source.events";

  /** The configuration key naming the last layer defined: bronze, silver or gold (the default). */
  public static final String LAYERS_KEY = "bench.layers";

  /** The baseline's declared event schema, as Flink DDL ({@code timestamp} is reserved in Flink SQL). */
  public static final String BRONZE_SCHEMA =
      "event_id STRING, user_id STRING, event_type STRING, "
          + "`timestamp` STRING, properties STRING, duration DOUBLE, amount DECIMAL(10, 2)";

  /** The generator writes UTC instants with millis and a literal {@code Z}, e.g. 2024-03-15T12:34:56.789Z. */
  static final String PARSED_TIMESTAMP =
      "TO_TIMESTAMP(`timestamp`, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''')";

  /**
   * The instant's UTC date, read off its first ten characters. The baseline derives its {@code
   * event_date} from the parsed timestamp, parsing once; in Flink SQL a second {@code
   * CAST(PARSED_TIMESTAMP AS DATE)} parses the string again (the planner merges projections and
   * generates no shared subexpressions), and pattern parsing was a third of the bronze task's time.
   */
  static final String EVENT_DATE = "TO_DATE(SUBSTRING(`timestamp`, 1, 10))";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("bronze_events")
        .comment("Raw events, as Auto Loader reads them with the baseline's declared schema")
        .from(AutoLoader.json(p.conf(SOURCE_KEY, "data/events")).schema(BRONZE_SCHEMA));
    String layers = p.conf(LAYERS_KEY, "gold");
    if (layers.equals("bronze")) {
      return;
    }

    p.streamingTable("silver_events")
        .comment("Events with a user and a timestamp after 2020, typed, one row per event_id")
        .sql(
            "SELECT event_id, user_id, event_type, "
                + PARSED_TIMESTAMP
                + " AS `timestamp`, properties, "
                + "duration, amount, "
                + EVENT_DATE
                + " AS event_date FROM STREAM(bronze_events)")
        .expectOrDrop("valid_user_id", "user_id IS NOT NULL")
        .expectOrDrop("valid_timestamp", "timestamp > '2020-01-01'")
        .dropDuplicates("event_id");
    if (layers.equals("silver")) {
      return;
    }

    p.table("gold_daily_metrics")
        .comment("Per day and event type: events, distinct users, average duration")
        .sql(
            "SELECT event_date, event_type, COUNT(*) AS event_count, COUNT(DISTINCT user_id) AS unique_users, "
                + "AVG(duration) AS avg_duration FROM silver_events GROUP BY event_date, event_type");
  }
}
