package io.tributary.examples;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.util.Map;

/**
 * The seed's data quality examples ("Expectation Types", "Complex Expectations"): a business rule
 * written as a multi-line {@code CASE WHEN}, and groups of expectations declared at once with each
 * action.
 *
 * <pre>
 * raw_transactions (streaming, Auto Loader JSON) -> validated_transactions (streaming) -> user_balances (table)
 * </pre>
 *
 * <p>The seed writes its constraints over generic columns ({@code id}, {@code value}); here they are
 * written over this pipeline's columns and keep the seed's expectation names:
 * <ul>
 *   <li>{@code validated_transactions} drops rows breaking {@code business_rule_1} (a refund must be
 *       negative, a purchase positive), fails the update on a row without a {@code transaction_id}
 *       ({@code valid_id}), and only counts rows failing {@code valid_user}, {@code valid_amount} or
 *       {@code valid_date}: such rows are kept. A refund always fails {@code valid_amount}: the seed's
 *       {@code expect_all} is a metric, not a filter.
 *   <li>{@code user_balances} sums each user's transactions and drops, with {@code expectAllOrDrop},
 *       the rows without a user ({@code not_null_id}) and the negative balances ({@code positive_value}).
 * </ul>
 * The sample data has rows failing every expectation except {@code valid_id}: a row failing an
 * {@code expectOrFail} would fail every update.
 *
 * <p>Sample data: {@code examples/data/transactions/} (configuration key {@value #SOURCE_KEY}).
 */
public final class TransactionsPipeline implements PipelineDefinition {

  /** The configuration key naming the folder of transaction files. */
  public static final String SOURCE_KEY = "source.transactions";

  @Override
  public void define(Pipeline p) {
    p.streamingTable("raw_transactions")
        .comment("Transactions as delivered, duplicates and all")
        .from(
            AutoLoader.json(p.conf(SOURCE_KEY, "examples/data/transactions"))
                .schema(
                    "transaction_id STRING, user_id STRING, transaction_type STRING, amount DECIMAL(10, 2),"
                        + " transaction_date DATE"));

    // On a streaming table, from("raw_transactions") is dlt.read_stream("raw_transactions").
    p.streamingTable("validated_transactions")
        .from("raw_transactions")
        .expectOrDrop(
            "business_rule_1",
            """
            CASE
                WHEN transaction_type = 'refund' THEN amount < 0
                WHEN transaction_type = 'purchase' THEN amount > 0
                ELSE TRUE
            END
            """)
        .expectOrFail("valid_id", "transaction_id IS NOT NULL")
        .expectAll(
            Map.of(
                "valid_user", "user_id IS NOT NULL",
                "valid_amount", "amount > 0",
                "valid_date", "transaction_date <= CURRENT_DATE"));

    p.table("user_balances")
        .comment("Net balance per user; users who received more than they paid are dropped")
        .sql(
            """
            SELECT user_id, SUM(amount) AS balance, COUNT(*) AS transactions
            FROM validated_transactions
            GROUP BY user_id
            """)
        .expectAllOrDrop(
            Map.of(
                "not_null_id", "user_id IS NOT NULL",
                "positive_value", "balance >= 0"));
  }
}
