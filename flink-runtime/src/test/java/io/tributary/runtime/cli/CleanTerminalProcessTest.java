package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A successful update's terminal shows Tributary's progress and nothing alarming: no ERROR line and no
 * stack trace, even when Flink logs one of its internal errors, which goes to the log file only. Flink's
 * "Trying to open gateway for unseen checkpoint" (logged at ERROR with its stack trace by a job that
 * then succeeds, seen under load after a restore) cannot be made to happen on demand, so the pipeline
 * logs that very line through the logger Flink logs it with, at each definition; two updates of it
 * (the second restores the first's savepoint, where Flink logged it) run as real processes with the
 * launcher's logging setup.
 */
class CleanTerminalProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  static final String FLINKS_ERROR =
      "Trying to open gateway for unseen checkpoint: latest known checkpoint ="
          + " -9223372036854775808, incoming checkpoint = 3";

  @TempDir Path dir;

  /** Orders into a streaming table and a materialized total; its definition logs Flink's internal error. */
  public static final class NoisyOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      org.slf4j.LoggerFactory.getLogger(
              "org.apache.flink.runtime.operators.coordination.OperatorCoordinatorHolder")
          .error(
              "Error while handling event from operator", new IllegalStateException(FLINKS_ERROR));
      p.streamingTable("orders")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount DOUBLE"))
          .expectOrDrop("positive_amount", "amount > 0");
      p.table("total").sql("SELECT COUNT(*) AS orders, SUM(amount) AS amount FROM orders");
    }
  }

  @Test
  void successfulUpdatesPrintNoErrorLineAndNoStackTraceWhileTheLogFileKeepsFlinksLogging()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Path pipeline = dir.resolve("pipeline.yml");
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + NoisyOrders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\ndevelopment: false\ntrigger:\n  interval: 500 ms\n"
            + "flink:\n  parallelism: 2\n");
    for (int update = 1; update <= 2; update++) {
      Files.writeString(
          input.resolve("part-" + update + ".json"),
          "{\"order_id\":\"o"
              + update
              + "\",\"amount\":5.0}\n{\"order_id\":\"x"
              + update
              + "\",\"amount\":-1.0}\n");

      CliProcess.Result result = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());

      assertThat(result.code()).as(result.toString()).isZero();
      assertThat(result.out())
          .as(result.toString())
          .contains("\nUpdate " + update + " COMPLETED in ")
          .contains("  orders ")
          .contains("  total ");
      String terminal = result.out() + result.err();
      assertThat(terminal)
          .as(result.toString())
          .doesNotContain("ERROR")
          .doesNotContain("Exception")
          .doesNotContain(FLINKS_ERROR)
          .doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(");
    }
    String log = Files.readString(CliProcess.logDir(dir).resolve("tributary.log"));
    assertThat(log)
        .as("Flink's error and its stack trace stay in the log file")
        .contains(
            "ERROR [main] org.apache.flink.runtime.operators.coordination.OperatorCoordinatorHolder - Error"
                + " while handling event from operator\njava.lang.IllegalStateException: "
                + FLINKS_ERROR
                + "\n\tat ")
        .contains("INFO ")
        .contains("org.apache.flink.runtime.minicluster.MiniCluster");
  }
}
