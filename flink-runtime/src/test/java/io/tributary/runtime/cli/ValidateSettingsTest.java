package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.maintenance.AutoCompactSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary validate} reports wrong {@code pipelines.*} values and a {@code DeltaSource}'s wrong
 * options with the pipeline's other problems, all at once, whichever step finds those.
 */
class ValidateSettingsTest {

  @TempDir Path dir;

  /** A structural problem (an undefined input) and a Delta source with a wrong option. */
  public static final class UndefinedInput implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(AutoLoader.json("/data/orders").schema("order_id STRING, seq BIGINT"));
      p.streamingTable("silver_orders").from("bronze_order");
      p.streamingTable("copy")
          .from(DeltaSource.path("/data/tables/orders").option("maxFilesPerTrigger", "0"));
    }
  }

  /** A problem only the analysis finds: a query naming a column its input does not have. */
  public static final class UnknownColumn implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(AutoLoader.json("/data/orders").schema("order_id STRING, seq BIGINT"));
      p.table("amounts").query(ctx -> ctx.read("orders"));
    }
  }

  @Test
  void validateReportsWrongSettingsWithTheStructuralProblems() throws Exception {
    Result result =
        run(
            "validate",
            pipelineFile(UndefinedInput.class).toString(),
            "--conf",
            "pipelines.maxFlowRetryAttempts=many",
            "--conf",
            "pipelines.lookup.refreshInterval=soon");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .isEqualTo(
            """
        Pipeline 'shop' has 4 problems:
          1. Dataset 'copy': DeltaSource on '/data/tables/orders': option maxFilesPerTrigger is '0'. Set it to a\
         whole number of files, 1 or more.
          2. Dataset 'silver_orders': input 'bronze_order' is not defined. Defined datasets: [bronze_orders, copy,\
         silver_orders]. Check the name passed to from().
          3. pipelines.maxFlowRetryAttempts is 'many'. Set it to a whole number of retries, such as 2.
          4. pipelines.lookup.refreshInterval is 'soon'. Set it to a duration, such as 1 s or 500 ms.
        """);
  }

  @Test
  void validateReportsWrongSettingsWithTheAnalysisProblems() throws Exception {
    Result result =
        run(
            "validate",
            pipelineFile(UnknownColumn.class).toString(),
            "--conf",
            "pipelines.cdc.tombstoneGCThresholdInSeconds=2 days",
            "--conf",
            "pipelines.lock.heartbeatInterval=90 s",
            "--conf",
            "pipelines.maintenance.afterUpdate=yes");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .isEqualTo(
            """
        Pipeline 'shop' has 4 problems:
          1. Dataset 'amounts': input 'orders' is not defined. Defined datasets: [amounts, bronze_orders]. Check\
         the name passed to ctx.read().
          2. pipelines.cdc.tombstoneGCThresholdInSeconds is '2 days'. Set it to a number of seconds, such as 172800\
         (two days).
          3. pipelines.lock.leaseDuration (60 s) is not longer than pipelines.lock.heartbeatInterval (90 s), so a\
         live update's lock would look stale between two heartbeats. Make the lease several heartbeats long, such as\
         60 s with a heartbeat every 10 s.
          4. pipelines.maintenance.afterUpdate is 'yes'. Set it to true or false.
        """);
    assertThat(dir.resolve("storage")).doesNotExist();
  }

  @Test
  void startRefusesWrongSettingsBeforeAnythingRuns() throws Exception {
    Result result =
        run(
            "start",
            pipelineFile(UnknownColumn.class).toString(),
            "--conf",
            "pipelines.maxFlowRetryAttempts=-1");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .contains(
            "2. pipelines.maxFlowRetryAttempts is '-1'. Set it to a whole number of"
                + " retries, such as 2.");
    assertThat(dir.resolve("storage/_tributary/lock")).doesNotExist();
  }

  @Test
  void validateReportsAWrongCaughtUpTimeoutWithTheOtherProblems() throws Exception {
    Result result =
        run(
            "validate",
            pipelineFile(UnknownColumn.class).toString(),
            "--conf",
            "pipelines.cluster.caughtUpTimeout=0 s",
            "--conf",
            "pipelines.maxFlowRetryAttempts=few");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .isEqualTo(
            """
        Pipeline 'shop' has 3 problems:
          1. Dataset 'amounts': input 'orders' is not defined. Defined datasets: [amounts, bronze_orders]. Check\
         the name passed to ctx.read().
          2. pipelines.maxFlowRetryAttempts is 'few'. Set it to a whole number of retries, such as 2.
          3. pipelines.cluster.caughtUpTimeout is '0 s'. Set it to a positive duration, such as '1 h' or '30 min'.
        """);
  }

  @Test
  void aCaughtUpTimeoutIsReadAsAFlinkDuration() {
    assertThat(
            PipelineSettings.of("shop", Map.of("pipelines.cluster.caughtUpTimeout", "90 s"))
                .caughtUpTimeout())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(PipelineSettings.of("shop", Map.of()).caughtUpTimeout())
        .isEqualTo(Duration.ofHours(1));
    assertThat(PipelineSettings.problems(Map.of("pipelines.cluster.caughtUpTimeout", "soon")))
        .containsExactly(
            "pipelines.cluster.caughtUpTimeout is 'soon'. Set it to a positive duration, such as"
                + " '1 h' or '30 min'.");
  }

  @Test
  void validateReportsWrongAutoCompactionSettingsWithTheOtherProblems() throws Exception {
    Result result =
        run(
            "validate",
            pipelineFile(UnknownColumn.class).toString(),
            "--conf",
            "pipelines.autoCompact.minFiles=1",
            "--conf",
            "pipelines.autoCompact.enabled=sometimes");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .isEqualTo(
            """
        Pipeline 'shop' has 3 problems:
          1. Dataset 'amounts': input 'orders' is not defined. Defined datasets: [amounts, bronze_orders]. Check\
         the name passed to ctx.read().
          2. pipelines.autoCompact.enabled is 'sometimes'. Set it to true or false.
          3. pipelines.autoCompact.minFiles is '1'. Set it to a whole number of files of at least 2, such as 50,\
         or set pipelines.autoCompact.enabled to false to turn auto compaction off.
        """);
    assertThat(PipelineSettings.of("shop", Map.of()).autoCompact())
        .isEqualTo(new AutoCompactSettings(true, 50));
    assertThat(
            PipelineSettings.of(
                    "shop",
                    Map.of(
                        "pipelines.autoCompact.minFiles", "8",
                        "pipelines.autoCompact.enabled", "FALSE"))
                .autoCompact())
        .isEqualTo(new AutoCompactSettings(false, 8));
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
