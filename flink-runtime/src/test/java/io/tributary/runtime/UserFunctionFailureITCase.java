package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming table whose query runs a user's function, chained to the source, that throws: a
 * failure the same row causes every time ends the update FAILED after its flow retries, with the
 * function's error and no row of an unfinished epoch committed; one that happens only on the
 * function's first calls (transient) ends it COMPLETED with every row exactly once. Neither may end
 * COMPLETED with input unread. Each runs in production mode (flow retries) with Flink's restarts on and
 * off, at parallelism 1, and no periodic checkpoint within the update (a 10 minute interval).
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

  /**
   * Passes the amount through; throws on {@code 'abc'} when armed, and on its first {@link
   * #FAILURES} calls whatever the value.
   */
  public static final class CheckAmount extends ScalarFunction {
    static volatile boolean failOnAbc;
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger CALLS = new AtomicInteger();

    public String eval(String amount) {
      CALLS.incrementAndGet();
      if (FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("check_amount is unavailable (injected)");
      }
      if (failOnAbc && "abc".equals(amount)) {
        throw new IllegalArgumentException("check_amount: '" + amount + "' is not an amount");
      }
      return amount;
    }
  }

  /** Orders streamed from another pipeline's Delta table through the user's function. */
  public static final class CheckedOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.view("raw_orders").from(DeltaSource.path(p.conf("upstream", "/none")));
      p.streamingTable("checked_orders")
          .query(
              ctx ->
                  ctx.readStream("raw_orders")
                      .select($("order_id"), call(CheckAmount.class, $("amount")).as("amount")));
    }
  }

  private UpstreamDeltaTable upstream() {
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    upstream.append(ALL.get(0));
    upstream.append(ALL.get(1), ALL.get(2), ALL.get(3));
    return upstream;
  }

  private RunningUpdate start(UpstreamDeltaTable upstream, boolean flinkRestarts) {
    Tributary.Builder builder =
        Tributary.pipeline(new CheckedOrders())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("upstream", upstream.path()))
            .parallelism(1)
            .triggerInterval(Duration.ofMinutes(10))
            .development(false)
            .retries(2, Duration.ofMillis(10))
            .cluster(CLUSTER.cluster());
    if (!flinkRestarts) {
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

  private void failsEveryAttemptAndCommitsNothing(boolean flinkRestarts) throws Exception {
    CheckAmount.failOnAbc = true;
    CheckAmount.FAILURES.set(0);
    RunningUpdate running = start(upstream(), flinkRestarts);
    UpdateResult result = running.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error().orElseThrow()).contains("check_amount: 'abc' is not an amount");
    assertThat(failedAttempts(running)).as("two retries, then the final failure").isEqualTo(3);
    assertThat(table())
        .as("no checkpoint completed before the row: nothing committed, nothing lost silently")
        .isEmpty();
  }

  private void recoversFromATransientFailure(boolean flinkRestarts, int failures) throws Exception {
    CheckAmount.failOnAbc = false;
    CheckAmount.FAILURES.set(failures);
    RunningUpdate running = start(upstream(), flinkRestarts);
    UpdateResult result = running.await();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(CheckAmount.FAILURES).as("every injected failure happened").hasValue(0);
    assertThat(table()).as("every row, exactly once").containsExactlyInAnyOrderElementsOf(ALL);
  }

  @Test
  void aFunctionFailingOnARowEveryTimeFailsTheUpdateWithItsErrorAfterTheRetries() throws Exception {
    failsEveryAttemptAndCommitsNothing(true);
  }

  @Test
  void withFlinksRestartsOffAFunctionFailingOnARowEveryTimeFailsTheUpdate() throws Exception {
    failsEveryAttemptAndCommitsNothing(false);
  }

  @Test
  void aFunctionFailingOnItsFirstCallsOnlyEndsCompletedWithEveryRowOnce() throws Exception {
    recoversFromATransientFailure(true, 2);
  }

  @Test
  void withFlinksRestartsOffATransientFailureIsRetriedByTheFlowWithEveryRowOnce() throws Exception {
    recoversFromATransientFailure(false, 2);
  }
}
