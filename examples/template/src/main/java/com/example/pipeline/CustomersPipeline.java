package com.example.pipeline;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;

/**
 * Customer changes arrive as JSON files; those without an id are dropped (and kept in
 * {@code customer_changes_quarantine}); every version of each customer is kept as SCD type 2 in
 * {@code customers}.
 */
public final class CustomersPipeline implements PipelineDefinition {

  /** The configuration key of the folder the changes arrive in. */
  public static final String CHANGES = "source.customer_changes";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("customer_changes")
        .from(AutoLoader.json(p.conf(CHANGES, "/data/customer_changes"))
            .schema("customer_id BIGINT, name STRING, city STRING, updated_at BIGINT"))
        .expectOrDrop("valid_customer_id", "customer_id IS NOT NULL")
        .quarantine();

    p.createStreamingTable("customers");
    p.applyChanges("customers")
        .from("customer_changes")
        .keys("customer_id")
        .sequenceBy("updated_at")
        .columnList("customer_id", "name", "city", "updated_at")
        .storedAsScdType(2);
  }
}
