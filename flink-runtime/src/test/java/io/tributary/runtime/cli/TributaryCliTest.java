package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TributaryCliTest {

  @TempDir Path dir;

  /** Three mistakes: an undefined input, a dataset defined twice, history tracking on SCD type 1. */
  public static final class ThreeMistakes implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(AutoLoader.json("/data/orders").schema("order_id STRING, seq BIGINT"));
      p.streamingTable("silver_orders").from("bronze_order");
      p.table("BRONZE_ORDERS").from("bronze_orders");
      p.createStreamingTable("orders_scd1");
      p.applyChanges("orders_scd1")
          .from("bronze_orders")
          .keys("order_id")
          .sequenceBy("seq")
          .trackHistoryColumnList("order_id");
    }
  }

  /** A valid pipeline with a declared schema, so validation needs no input files. */
  public static final class Valid implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(AutoLoader.json("/data/orders").schema("order_id STRING, amount DOUBLE"));
      p.streamingTable("silver_orders")
          .from("bronze_orders")
          .expectOrDrop("positive", "amount > 0");
    }
  }

  @Test
  void validateReportsEveryMistakeAtOnce() throws Exception {
    Result result = run("validate", pipelineFile(ThreeMistakes.class).toString());

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .isEqualTo(
            """
        Pipeline 'shop' has 3 problems:
          1. Dataset 'bronze_orders' is defined 2 times (as streaming table 'bronze_orders', table\
         'BRONZE_ORDERS'). Names are case-insensitive and unique per pipeline (each names a folder): rename all\
         but one.
          2. applyChanges into 'orders_scd1' tracks history columns, but is stored as SCD type 1, which keeps no\
         history. Use storedAsScdType(2), or remove the history column list.
          3. Dataset 'silver_orders': input 'bronze_order' is not defined. Defined datasets: [BRONZE_ORDERS,\
         bronze_orders, orders_scd1, silver_orders]. Check the name passed to from().
        """);
  }

  @Test
  void validatePrintsThePlanOfAValidPipelineAndWritesNothing() throws Exception {
    Path file = pipelineFile(Valid.class);

    Result result = run("validate", file.toString());

    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out)
        .startsWith("Pipeline 'shop' is valid: 2 datasets, 2 flows.")
        .contains("streaming table silver_orders", "expect_or_drop positive: amount > 0");
    assertThat(dir.resolve("storage")).doesNotExist();
  }

  @Test
  void graphDrawsTheDatasetsAndTheirReadsAsTextMermaidAndDot() throws Exception {
    Path file = pipelineFile(Valid.class);

    assertThat(run("graph", file.toString()).out)
        .isEqualTo(
            """
        pipeline shop
          bronze_orders (streaming table) <- AutoLoader json /data/orders schema [order_id STRING, amount DOUBLE]
          silver_orders (streaming table) <- STREAM(bronze_orders)
        """);
    assertThat(run("graph", file.toString(), "--format", "mermaid").out)
        .isEqualTo(
            """
        flowchart LR
          bronze_orders[("bronze_orders<br/><i>streaming table</i>")]
          bronze_orders__source{{"AutoLoader json /data/orders schema [order_id STRING, amount DOUBLE]"}} --> bronze_orders
          silver_orders[("silver_orders<br/><i>streaming table</i>")]
          bronze_orders -->|stream| silver_orders
        """);
    assertThat(run("graph", file.toString(), "--format", "dot").out)
        .startsWith("digraph \"shop\" {\n  rankdir=LR;\n")
        .contains("  \"bronze_orders\" -> \"silver_orders\" [label=\"stream\"];\n");
    Result bad = run("graph", file.toString(), "--format", "svg");
    assertThat(bad.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(bad.err)
        .startsWith(
            "--format svg is not a graph format. Use text, mermaid, dot or html.\nUsage: tributary graph");
  }

  @Test
  void stopWithoutARunningUpdateSaysSo() throws Exception {
    Result result = run("stop", pipelineFile(Valid.class).toString());

    assertThat(result.code).isZero();
    assertThat(result.out).isEqualTo("Pipeline 'shop' has no running update.\n");
    assertThat(dir.resolve("storage/_tributary/stop-request")).doesNotExist();
  }

  /** A table whose expectation fails the update on a negative amount. */
  public static final class Strict implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount DOUBLE"))
          .expectOrFail("positive_amount", "amount > 0");
    }
  }

  @Test
  void startOfAnUpdateThatFailsExitsWithOneAndPrintsTheError() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(input.resolve("part-1.json"), "{\"order_id\":\"o1\",\"amount\":-1.0}\n");

    Result result =
        run("start", pipelineFile(Strict.class).toString(), "--conf", "source=" + input);

    assertThat(result.code).isEqualTo(TributaryCli.UPDATE_FAILED);
    assertThat(result.out).contains("Update 1 FAILED in ");
    assertThat(result.err).startsWith("Error: ").contains("positive_amount");
  }

  @Test
  void startWhileAnotherUpdateHoldsThePipelineExitsWithThree() throws Exception {
    Path file = pipelineFile(Valid.class);
    io.tributary.runtime.storage.PipelineStorage storage =
        io.tributary.runtime.storage.PipelineStorage.at(
            dir.resolve("storage").toUri().toString(), new org.apache.hadoop.conf.Configuration());
    try (io.tributary.runtime.storage.PipelineLock held =
        io.tributary.runtime.storage.PipelineLock.acquire(storage, "shop")) {
      Result result = run("start", file.toString());

      assertThat(result.code).isEqualTo(TributaryCli.ALREADY_RUNNING);
      assertThat(result.err)
          .startsWith("Pipeline 'shop' is already running an update (")
          .contains("Wait for it to end, or stop it with 'tributary stop'.");
    }
  }

  @Test
  void refreshOptionsExcludeEachOther() throws Exception {
    Result result =
        run(
            "start",
            pipelineFile(Valid.class).toString(),
            "--full-refresh",
            "--refresh",
            "silver_orders");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err).contains("mutually exclusive");
  }

  @Test
  void aBadPipelineFileIsADefinitionError() throws Exception {
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(file, "name: shop\nstorage: storage\nlibraries: [no.such.Pipeline]\n");

    Result result = run("validate", file.toString());

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .startsWith("Pipeline 'shop': library no.such.Pipeline is not on the classpath.");
  }

  private Path pipelineFile(Class<?> library) throws Exception {
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(
        file, "name: shop\nstorage: storage\nlibraries:\n  - " + library.getName() + "\n");
    return file;
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TributaryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }
}
