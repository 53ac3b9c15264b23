package io.tributary.examples;

import static org.apache.flink.table.api.Expressions.$;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * The seed's "Views vs Tables" examples: a view that is never persisted, a temporary view ({@code _}
 * prefix) that joins a stream of events with the dimension of users, and the streaming table that
 * persists it.
 *
 * <pre>
 * users (streaming, CSV) -> active_users_view (view) -> dim_users (table) --- lookup --+
 *                                                                                     |
 * bronze_events (streaming, JSON) ----------------------------------------- stream --+-> _tmp_enriched_events (view)
 * _tmp_enriched_events -> silver_enriched_events (streaming)
 * </pre>
 *
 * <p>The seed reads {@code users} and {@code dim_users} without defining them; here {@code users}
 * is ingested from CSV and {@code dim_users} holds the active users' columns that events are
 * enriched with, recomputed on every update. The seed's {@code events.join(users, "user_id", "left")}
 * of a stream with a table is a lookup join ({@code ctx.leftLookupJoin}): each new event meets
 * {@code dim_users} as of the update that processes it (the table is written first), events of
 * unknown or inactive users keep NULL user columns, and rows written by earlier updates are never
 * revised, as in Delta Live Tables.
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
        .from(
            AutoLoader.csv(p.conf(USERS_KEY, "examples/data/views/users")).option("header", "true"))
        .expect("valid_email", "email LIKE '%@%'");

    p.view("active_users_view")
        .comment("Filter for active users - not persisted")
        .query(ctx -> ctx.read("users").filter($("status").isEqual("active")));

    // On a table, a read is a snapshot: the view's query is inlined into this table's flow. Only
    // the columns events are enriched with (users, read with an inferred schema, carries Auto
    // Loader's _rescued_data; events, with a declared schema, has no such column).
    p.table("dim_users")
        .comment("The users events are enriched with")
        .sql("SELECT user_id, name, country FROM active_users_view");

    p.streamingTable("bronze_events")
        .from(
            AutoLoader.json(p.conf(EVENTS_KEY, "examples/data/views/events"))
                .schema(
                    "event_id STRING NOT NULL, user_id STRING, event_type STRING, `timestamp` TIMESTAMP(3)"));

    // Mixed mode: new events (a stream) joined with the current users (a table), as a lookup join.
    p.view("_tmp_enriched_events")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze_events"), "dim_users", "user_id"));

    p.streamingTable("silver_enriched_events").sql("SELECT * FROM STREAM(_tmp_enriched_events)");
  }
}
