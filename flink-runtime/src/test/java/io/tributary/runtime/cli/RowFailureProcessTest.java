package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A constraint that throws on a row's value ({@code CAST(amount AS INT) > 0} meeting {@code 'abc'})
 * fails the update with a message a user can act on, as {@code tributary start} prints it in a real
 * process: the pipeline, the dataset, the expectation and its constraint, the file and the line of the
 * row, its values, and the hint (TRY_CAST); no Java stack trace on the terminal; the table stays at the
 * version the previous update committed, and its files are the same.
 */
class RowFailureProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path dir;

  /** Orders read as text, whose expectation casts the amount. */
  public static final class CastingOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount STRING"))
          .expectOrDrop("positive_amount", "CAST(amount AS INT) > 0");
    }
  }

  @Test
  void
      aConstraintThatThrowsOnARowNamesPipelineDatasetExpectationFileAndLineAndLeavesTheTableAsItWas()
          throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Path pipeline = dir.resolve("pipeline.yml");
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + CastingOrders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\ndevelopment: false\ntrigger:\n  interval: 500 ms\n"
            + "flink:\n  parallelism: 2\n");
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"amount\":\"5\"}\n" + "{\"order_id\":\"o2\",\"amount\":\"-1\"}\n");
    CliProcess.Result first = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());
    assertThat(first.code()).as(first.toString()).isZero();
    Path table = dir.resolve("storage/tables/orders");
    List<String> before = files(table);
    assertThat(before)
        .as("the first update committed")
        .contains("_delta_log/00000000000000000001.json");

    // the update's first record, on line 3 of its file: no epoch of this update holds a row before
    // it
    Path bad = input.resolve("part-2.json");
    Files.writeString(
        bad,
        "\n\n{\"order_id\":\"o4\",\"amount\":\"abc\"}\n{\"order_id\":\"o5\",\"amount\":\"9\"}\n");
    CliProcess.Result second = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());

    assertThat(second.code()).as(second.toString()).isEqualTo(1);
    String terminal = second.out() + second.err();
    assertThat(terminal)
        .as(second.toString())
        .contains(
            "Pipeline 'shop', dataset 'orders': a row made the dataset's query or its expectations fail: "
                + "For input string: 'abc'")
        .contains(
            "The row came from file file:" + bad + ", line 3: " + "{order_id=o4, amount=abc}.")
        .contains(
            "The expectation that evaluates it, evaluated with the query in one operator, so the failing one"
                + " is not told apart: 'positive_amount' (CAST(amount AS INT) > 0).")
        .contains(
            "Fix the record, or write the expression so that it cannot fail: TRY_CAST returns NULL where CAST"
                + " fails, and NULL fails an expectation, so expectOrDrop drops the row and the event log counts it"
                + " ('positive_amount' as TRY_CAST(amount AS INT) > 0).")
        .doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(")
        .doesNotContain("Caused by");
    assertThat(files(table)).as("nothing of the failed update is in the table").isEqualTo(before);
  }

  @Test
  void aRowThatMakesAnExpressionThrowFailsTheUpdateAtOnceInProductionModeWithoutARetry()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Path pipeline = dir.resolve("pipeline.yml");
    // production mode: Flink's fixed-delay restarts and the flow's own retries are both on
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + CastingOrders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\ndevelopment: false\ntrigger:\n  interval: 500 ms\n"
            + "flink:\n  parallelism: 1\n");
    Path bad = input.resolve("part-1.json");
    Files.writeString(
        bad, "{\"order_id\":\"o1\",\"amount\":\"abc\"}\n{\"order_id\":\"o2\",\"amount\":\"9\"}\n");

    CliProcess.Result result = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());

    assertThat(result.code()).as(result.toString()).isEqualTo(1);
    String terminal = result.out() + result.err();
    assertThat(terminal)
        .as(result.toString())
        .contains(
            "Pipeline 'shop', dataset 'orders': a row made the dataset's query or its expectations fail: "
                + "For input string: 'abc'")
        .contains("The row came from file file:" + bad + ", line 1: {order_id=o1, amount=abc}.")
        .as("the same row fails every attempt: the flow is not run again")
        .doesNotContainPattern("(?i)\\bretry")
        .doesNotContain("attempt 1 of")
        .as("nor is its job restarted by Flink")
        .doesNotContain("failed over");
    String log = Files.readString(CliProcess.logDir(dir).resolve("tributary.log"));
    assertThat(log)
        .as("the job failed on the row")
        .containsPattern("switched from state (RUNNING|FAILING) to FAILED")
        .as("Flink did not restart the job for the row")
        .doesNotContain("to RESTARTING");
  }

  /** The table's files, data and log, relative to it, sorted. */
  private static List<String> files(Path table) throws IOException {
    try (Stream<Path> all = Files.walk(table)) {
      return all.filter(Files::isRegularFile)
          .map(p -> table.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}
