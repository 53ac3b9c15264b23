package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A streaming table whose query runs a user's function, chained to the source, that throws: a
 * failure the same row causes every time ends the update FAILED after its flow retries, with the
 * function's error and no row of an unfinished epoch committed; one that happens only on the
 * function's first calls (transient) ends it COMPLETED with every row exactly once. Neither may end
 * COMPLETED with input unread. Each runs for a Delta table's stream and for Auto Loader files, in
 * production mode (flow retries) with Flink's restarts on and off, at parallelism 1, with a 10 minute
 * trigger interval. The function takes a while per row, so a restored job that was wrongly reported
 * caught up is stopped before it reaches the failing row (a restored Delta reader asked for a split
 * while it still held the splits of its checkpoint: the update ended COMPLETED with [o2], or nothing).
 */
class UserFunctionFailureITCase {

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("order_id", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.STRING()))
              .getLogicalType();

  private static final List<Row> ALL =
      List.of(Row.of("o1", "5"), Row.of("o2", "7"), Row.of("o3", "abc"), Row.of("o4", "9"));

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** Where the orders come from: o1 in a first file, then o2, abc, o4 in a second. */
  enum Input {
    DELTA_TABLE,
    AUTO_LOADER_FILES
  }

  /**
   * Passes the amount through after {@link #PAUSE_MILLIS}; throws on {@code 'abc'} when armed, and on
   * its first {@link #FAILURES} calls whatever the value.
   */
  public static final class CheckAmount extends ScalarFunction {
    static final long PAUSE_MILLIS = 300;
    static volatile boolean failOnAbc;
    static final AtomicInteger FAILURES = new AtomicInteger();

    public String eval(String amount) throws InterruptedException {
      Thread.sleep(PAUSE_MILLIS);
      if (FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("check_amount is unavailable (injected)");
      }
      if (failOnAbc && "abc".equals(amount)) {
        throw new IllegalArgumentException("check_amount: '" + amount + "' is not an amount");
      }
      return amount;
    }
  }

  /** Orders streamed from another pipeline's Delta table, or from JSON files, through the function. */
  public static final class CheckedOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      String upstream = p.conf("upstream", "/none");
      p.view("raw_orders")
          .from(
              p.conf("input", "").equals(Input.DELTA_TABLE.name())
                  ? DeltaSource.path(upstream)
                  : AutoLoader.json(upstream)
                      .schema("order_id STRING, amount STRING")
                      .option("rescuedDataColumn", "false"));
      p.streamingTable("checked_orders")
          .query(
              ctx ->
                  ctx.readStream("raw_orders")
                      .select($("order_id"), call(CheckAmount.class, $("amount")).as("amount")));
    }
  }

  /** The orders written as {@code input}, in two files: o1, then o2, abc, o4; their path. */
  private String write(Input input) throws Exception {
    if (input == Input.DELTA_TABLE) {
      UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
      upstream.append(ALL.get(0));
      upstream.append(ALL.get(1), ALL.get(2), ALL.get(3));
      return upstream.path();
    }
    Path folder = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(folder.resolve("part-0.json"), json(ALL.subList(0, 1)));
    Files.writeString(folder.resolve("part-1.json"), json(ALL.subList(1, 4)));
    return folder.toString();
  }

  private static String json(List<Row> rows) {
    StringBuilder lines = new StringBuilder();
    for (Row row : rows) {
      lines.append(
          String.format(
              "{\"order_id\":\"%s\",\"amount\":\"%s\"}%n", row.getField(0), row.getField(1)));
    }
    return lines.toString();
  }

  private RunningUpdate start(Input input, boolean flinkRestarts) throws Exception {
    Tributary.Builder builder =
        Tributary.pipeline(new CheckedOrders())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("upstream", write(input), "input", input.name()))
            .parallelism(1)
            .triggerInterval(Duration.ofMinutes(10))
            .development(false)
            .retries(2, Duration.ofMillis(10))
            .cluster(CLUSTER.cluster());
    if (flinkRestarts) {
      // production's restarts, without its 1 s between them: what is tested is how many, not when
      builder.flinkOption("restart-strategy.fixed-delay.delay", "50 ms");
    } else {
      builder.flinkOption("restart-strategy.type", "none");
    }
    return builder.start();
  }

  private List<Row> table() {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/checked_orders").toString());
  }

  private static long failedAttempts(RunningUpdate update) {
    return update.events().stream()
        .filter(e -> e.dataset().equals("checked_orders") && e.state() == FlowState.FAILED)
        .count();
  }

  private void failsEveryAttempt(Input input, boolean flinkRestarts) throws Exception {
    CheckAmount.failOnAbc = true;
    CheckAmount.FAILURES.set(0);
    RunningUpdate running = start(input, flinkRestarts);
    UpdateResult result = running.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error().orElseThrow()).contains("check_amount: 'abc' is not an amount");
    assertThat(failedAttempts(running)).as("two retries, then the final failure").isEqualTo(3);
    // an epoch whose checkpoint completed before the row was read (o1, o2) may have committed; the
    // row and what follows it never do, and nothing is committed twice
    assertThat(table()).doesNotHaveDuplicates().isSubsetOf(ALL.get(0), ALL.get(1));
  }

  private void recoversFromATransientFailure(Input input, boolean flinkRestarts, int failures)
      throws Exception {
    CheckAmount.failOnAbc = false;
    CheckAmount.FAILURES.set(failures);
    RunningUpdate running = start(input, flinkRestarts);
    UpdateResult result = running.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(CheckAmount.FAILURES).as("every injected failure happened").hasValue(0);
    assertThat(table()).as("every row, exactly once").containsExactlyInAnyOrderElementsOf(ALL);
  }

  @ParameterizedTest
  @EnumSource(Input.class)
  void aFunctionFailingOnARowEveryTimeFailsTheUpdateWithItsErrorAfterTheRetries(Input input)
      throws Exception {
    failsEveryAttempt(input, true);
  }

  @ParameterizedTest
  @EnumSource(Input.class)
  void withFlinksRestartsOffAFunctionFailingOnARowEveryTimeFailsTheUpdate(Input input)
      throws Exception {
    failsEveryAttempt(input, false);
  }

  @ParameterizedTest
  @EnumSource(Input.class)
  void aFunctionFailingOnItsFirstCallsOnlyEndsCompletedWithEveryRowOnce(Input input)
      throws Exception {
    recoversFromATransientFailure(input, true, 2);
  }

  @ParameterizedTest
  @EnumSource(Input.class)
  void withFlinksRestartsOffATransientFailureIsRetriedByTheFlowWithEveryRowOnce(Input input)
      throws Exception {
    recoversFromATransientFailure(input, false, 2);
  }
}
