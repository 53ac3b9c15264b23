package io.tributary.examples.guide;

import static org.apache.flink.table.api.Expressions.$;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * docs/from-delta-live-tables.md, "Views and temporary views": a view that is not persisted, a table
 * read in full at each update, and a temporary view joining a stream with that table.
 */
public final class GuideViewsPipeline implements PipelineDefinition {

  @Override
  public void define(Pipeline p) {
    // guide:views
    p.table("users")                                      // spark.read: every file, every update
        .from(AutoLoader.csv(p.conf("source.users", "/data/users")).option("header", "true")
            .schema("user_id STRING, name STRING, status STRING"));

    p.view("active_users_view")                           // @dlt.view: not persisted
        .comment("Filter for active users - not persisted")
        .query(ctx -> ctx.read("users").filter($("status").isEqual("active")));

    p.table("dim_users").sql("SELECT user_id, name FROM active_users_view");

    p.streamingTable("bronze_events")
        .from(AutoLoader.json(p.conf("source.events", "/data/events")).schema("event_id STRING, user_id STRING"));

    p.view("_tmp_enriched_events")                        // events.join(users, "user_id", "left")
        .query(ctx -> ctx.leftLookupJoin(ctx.readStream("bronze_events"), "dim_users", "user_id"));

    p.streamingTable("silver_enriched_events").sql("SELECT * FROM STREAM(_tmp_enriched_events)");
    // end
  }
}
