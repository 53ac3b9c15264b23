package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.PlannedJob;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The message for a job that failed on a row an Auto Loader source named. */
class RowFailuresTest {

  private static final String CAUSE = "For input string: 'abc'. Invalid character found.";
  private static final String HINT =
      " Nothing of the epoch holding the row was committed. Fix the record, or write"
          + " the expression so that it cannot fail: TRY_CAST returns NULL where CAST fails, and NULL fails an"
          + " expectation, so expectOrDrop drops the row and the event log counts it";

  @Test
  void namesThePipelineTheDatasetTheRowsOriginAndValuesItsExpectationAndTheTolerantConstraint() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("orders")
        .from(AutoLoader.json("/orders").schema("order_id STRING, amount STRING"))
        .expectOrDrop("positive_amount", "CAST(amount AS INT) > 0");
    JobContext context = context(p.build(), "stream_orders");

    String message =
        RowFailures.message(
            context.uid("orders", "source"),
            "file:/orders/part-2.json",
            Optional.of("line 3"),
            "{order_id=o4, amount=abc}",
            CAUSE,
            context,
            p.build());

    assertThat(message)
        .isEqualTo(
            "Pipeline 'shop', dataset 'orders': a row made the dataset's query or its"
                + " expectations fail: For input string: 'abc'. Invalid character found. The row came from file"
                + " file:/orders/part-2.json, line 3: {order_id=o4, amount=abc}. The expectation that evaluates it,"
                + " evaluated with the query in one operator, so the failing one is not told apart: 'positive_amount'"
                + " (CAST(amount AS INT) > 0)."
                + HINT
                + " ('positive_amount' as TRY_CAST(amount AS INT) > 0).");
  }

  @Test
  void aRowReadByAViewNamesTheExpectationsOfTheViewAndOfTheTableThatReadsItInTheSameJob() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.view("raw")
        .from(AutoLoader.json("/orders").schema("order_id STRING, amount STRING"))
        .expect("has_id", "order_id IS NOT NULL");
    p.streamingTable("orders")
        .from("raw")
        .expectOrDrop("positive_amount", "CAST(amount AS INT) > 0");
    JobContext context = context(p.build(), "stream_orders");

    String message =
        RowFailures.message(
            context.uid("raw", "source"),
            "file:/orders/part-2.json",
            Optional.empty(),
            "{order_id=o4, amount=abc}",
            CAUSE,
            context,
            p.build());

    assertThat(message)
        .isEqualTo(
            "Pipeline 'shop', dataset 'raw': a row made the query or the expectations of the"
                + " dataset or of 'orders' (which read it in the same job) fail: For input string: 'abc'. Invalid character"
                + " found. The row came from file file:/orders/part-2.json: {order_id=o4, amount=abc}. The expectations that"
                + " evaluate it, evaluated with the query in one operator, so the failing one is not told apart: 'has_id'"
                + " (order_id IS NOT NULL) of 'raw', 'positive_amount' (CAST(amount AS INT) > 0) of 'orders'."
                + HINT
                + " ('positive_amount' as TRY_CAST(amount AS INT) > 0).");
  }

  @Test
  void aDatasetWithoutExpectationsSaysTheExpressionIsInItsQuery() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("orders")
        .from(AutoLoader.json("/orders").schema("order_id STRING, amount STRING"));
    JobContext context = context(p.build(), "stream_orders");

    String message =
        RowFailures.message(
            context.uid("orders", "source"),
            "file:/orders/part-2.json",
            Optional.of("line 3"),
            "{order_id=o4, amount=abc}",
            CAUSE,
            context,
            p.build());

    assertThat(message)
        .contains(
            "line 3: {order_id=o4, amount=abc}. No expectation evaluates it: the expression"
                + " is in the query."
                + HINT
                + ".");
  }

  @Test
  void aRowNoSourceNamedIsDescribedWithWhatIsKnownAndAnyOtherFailureIsLeftAlone() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze")
        .from(AutoLoader.json("/orders").schema("order_id STRING, amount STRING"));
    p.streamingTable("silver")
        .from("bronze")
        .expectOrDrop("positive_amount", "CAST(amount AS INT) > 0");
    PlannedJob job =
        JobPlanner.plan(p.build()).stream()
            .filter(j -> j.datasets().contains("silver"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(JobPlanner.plan(p.build())));
    JobContext context = new JobContext("shop", job, "u1", 1, Map.of());
    RuntimeException cast;
    try {
      org.apache.flink.table.data.binary.BinaryStringDataUtil.toInt(
          org.apache.flink.table.data.binary.BinaryStringData.fromString("abc"));
      throw new AssertionError("'abc' cast to INT");
    } catch (NumberFormatException e) {
      cast =
          new org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException(
              "Could not forward element to next operator", e);
    }
    // as a job's failure arrives: wrapped by Flink, and serialized when it comes from a cluster
    Throwable failure = new org.apache.flink.runtime.JobException("Recovery is suppressed", cast);

    assertThat(job.datasets())
        .as("silver streams from bronze in bronze's job")
        .containsExactly("bronze", "silver");
    assertThat(RowFailures.describe(failure, context, p.build()))
        .contains(
            "Pipeline 'shop', job 'stream_bronze': a"
                + " row made the query or the expectations of 'bronze', 'silver' fail: For input string: 'abc'. Invalid"
                + " character found."
                + " The row's file, line and values are not known: only an Auto Loader source names the rows it emits, and"
                + " this row was read from a Delta table or crossed a shuffle before it failed. The expectation that"
                + " evaluates it, evaluated with the query in one operator, so the failing one is not told apart:"
                + " 'positive_amount' (CAST(amount AS INT) > 0) of 'silver'."
                + HINT
                + " ('positive_amount' as"
                + " TRY_CAST(amount AS INT) > 0).");
    assertThat(
            RowFailures.describe(
                new org.apache.flink.util.SerializedThrowable(failure), context, p.build()))
        .as("from a cluster")
        .isEqualTo(RowFailures.describe(failure, context, p.build()));
    assertThat(
            RowFailures.describe(
                new RuntimeException(new java.io.IOException("No space left on device", cast)),
                context,
                p.build()))
        .as("an I/O failure")
        .isEmpty();
    assertThat(RowFailures.describe(new IllegalStateException("a bug"), context, p.build()))
        .isEmpty();
  }

  private static JobContext context(LogicalPlan plan, String jobName) {
    PlannedJob job =
        JobPlanner.plan(plan).stream()
            .filter(j -> j.name().equals(jobName))
            .findFirst()
            .orElseThrow();
    return new JobContext("shop", job, "u1", 1, Map.of());
  }
}
