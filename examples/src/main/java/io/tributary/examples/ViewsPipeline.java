package io.tributary.examples;

import static org.apache.flink.table.api.Expressions.$;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import org.apache.flink.table.api.Table;

/**
 * The seed's "Views vs Tables" and "Mixed Mode" examples: a view that is never persisted, a
 * temporary view ({@code _} prefix) that joins a stream of events with the latest snapshot of a
 * dimension, and the streaming table that persists it.
 *
 * <pre>
 * users (streaming, CSV) -> active_users_view (view) -> dim_users (table) --- snapshot --+
 *                                                                                       |
 * bronze_events (streaming, JSON) ------------------------------------------- stream --+-> _tmp_enriched_events (view)
 * _tmp_enriched_events -> silver_enriched_events (streaming)
 * </pre>
 *
 * <p>The seed reads {@code users} and {@code dim_users} without defining them; here {@code users}
 * is ingested from CSV and {@code dim_users} is the active users, recomputed on every update. Each
 * event is enriched with its user's columns as of the update that processes it (a stream joined
 * with a snapshot).
 *
 * <p>The seed's mixed mode makes {@code silver_enriched_events} a streaming table: each update
 * joins the new events with the dimension's latest snapshot. Tributary cannot refresh the snapshot
 * side of a streaming job between updates yet (the analyzer refuses such a read and says why), so
 * here {@code silver_enriched_events} is a materialized table recomputed from both snapshots, with
 * the seed's left join: events of unknown or inactive users keep NULL user columns.
 *
 * <p>Sample data: {@code examples/data/views/users/} and {@code examples/data/views/events/}
 * (configuration keys {@value #USERS_KEY} and {@value #EVENTS_KEY}).
 */
public final class ViewsPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of user files (CSV with a header line). */
  public static final String USERS_KEY = "source.users";

  /** The configuration key naming the folder of event files (newline-delimited JSON). */
  public static final String EVENTS_KEY = "source.view_events";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("users")
        .from(AutoLoader.csv(p.conf(USERS_KEY, "examples/data/views/users")).option("header", "true"))
        .expect("valid_email", "email LIKE '%@%'");

    p.view("active_users_view")
        .comment("Filter for active users - not persisted")
        .query(ctx -> ctx.read("users").filter($("status").isEqual("active")));

    // On a table, from(…) reads a snapshot: the view's query is inlined into this table's flow.
    p.table("dim_users")
        .comment("The users events are enriched with")
        .from("active_users_view");

    p.streamingTable("bronze_events")
        .from(AutoLoader.json(p.conf(EVENTS_KEY, "examples/data/views/events"))
            .schema("event_id STRING NOT NULL, user_id STRING, event_type STRING, `timestamp` TIMESTAMP(3)"));

    // Mixed mode: new events (a stream) joined with the current users (a snapshot). The Table API
    // joins tables with distinct column names, so only the dimension's columns needed are taken,
    // its key renamed (both sides also carry Auto Loader's _rescued_data).
    p.view("_tmp_enriched_events")
        .query(ctx -> {
          Table events = ctx.read("bronze_events");
          Table users = ctx.read("dim_users").select($("user_id").as("dim_user_id"), $("name"), $("country"));
          return events
              .leftOuterJoin(users, $("user_id").isEqual($("dim_user_id")))
              .select($("event_id"), $("user_id"), $("event_type"), $("timestamp"), $("name"), $("country"));
        });

    p.table("silver_enriched_events")
        .sql("SELECT * FROM _tmp_enriched_events");
  }
}
