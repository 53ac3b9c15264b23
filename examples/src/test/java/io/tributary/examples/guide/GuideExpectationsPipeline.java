package io.tributary.examples.guide;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.util.Map;

/**
 * docs/from-delta-live-tables.md, "Expectations": every kind of the seed's expectations on one
 * streaming table, with a quarantine for the dropped rows.
 */
public final class GuideExpectationsPipeline implements PipelineDefinition {

  @Override
  public void define(Pipeline p) {
    // guide:expectations
    p.streamingTable("raw_transactions")
        .from(AutoLoader.json(p.conf("source.transactions", "/data/transactions")).schema(
            "id STRING, user_id STRING, email STRING, transaction_type STRING, amount DOUBLE, transaction_date DATE"));

    p.streamingTable("validated_transactions")
        .from("raw_transactions")
        .expect("valid_email", "email LIKE '%@%'")                 // @dlt.expect: keep, count
        .expectOrFail("valid_id", "id IS NOT NULL")                  // @dlt.expect_or_fail
        .expectAll(Map.of(                                           // @dlt.expect_all
            "valid_user", "user_id IS NOT NULL",
            "valid_date", "transaction_date <= current_date()"))
        .expectAllOrDrop(Map.of("positive_value", "abs(amount) > 0")) // @dlt.expect_all_or_drop
        .expectOrDrop("business_rule_1", """
            CASE
                WHEN transaction_type = 'refund' THEN amount < 0
                WHEN transaction_type = 'purchase' THEN amount > 0
                ELSE TRUE
            END""")                                                  // @dlt.expect_or_drop
        .quarantine();                                               // keep dropped rows, with why
    // end
  }
}
