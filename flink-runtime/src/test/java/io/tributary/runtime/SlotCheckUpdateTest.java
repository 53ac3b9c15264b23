package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.engine.FakeExecutor;
import io.tributary.runtime.engine.FakeExecutor.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update checks that its jobs fit the executor's slots before it launches any: a continuous one
 * that they fit the free slots at once, a triggered one that no streaming job is wider than all of them
 * ({@code UpdateEngineTest.Shop}: two streaming jobs and two materialized tables, recomputed one at a
 * time; {@code totals} is an incremental materialized table, a streaming job too: 4 slots at
 * parallelism 1).
 */
class SlotCheckUpdateTest {

  @TempDir Path dir;

  private final FakeExecutor executor = new FakeExecutor();

  @BeforeEach
  void input() throws Exception {
    Files.writeString(
        Files.createDirectories(dir.resolve("in/orders")).resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"amount\":2.0}\n");
    Files.writeString(
        Files.createDirectories(dir.resolve("in/customers")).resolve("part-1.json"),
        "{\"id\":\"c1\",\"name\":\"Ada\"}\n");
  }

  private Tributary.Builder continuous() {
    return Tributary.pipeline(new UpdateEngineTest.Shop())
        .name("shop")
        .storage(dir.resolve("storage").toString())
        .configuration(
            Map.of(
                "orders", dir.resolve("in/orders").toString(),
                "customers", dir.resolve("in/customers").toString()))
        .parallelism(1)
        .executor(executor)
        .continuous(true)
        .triggerInterval(Duration.ofMillis(200));
  }

  @Test
  void tooFewFreeSlotsFailTheUpdateBeforeAnyJobStarts() throws Exception {
    executor.slots(2);

    long start = System.nanoTime();
    UpdateResult result = continuous().start().await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    String message =
        "Continuous update of pipeline 'shop' needs 4 task slots at once, but the update's own Flink"
            + " cluster has 2 free: its streaming jobs run side by side until stopped, each with a"
            + " slot per parallel task: 'stream_orders' (parallelism 1), 'stream_customers'"
            + " (parallelism 1), 'table_totals' (parallelism 1), and 1 for the recomputation of its"
            + " materialized tables. A job without slots would wait for them and fail only after"
            + " Flink's slot request timeout (slot.request.timeout, 5 min by default), so no job was"
            + " started. Give the cluster 2 more free slots (more TaskManagers, or a larger"
            + " taskmanager.numberOfTaskSlots), or lower the pipeline's `flink: parallelism:`.";
    assertThat(result.error()).contains(message);
    assertThat(executor.jobs()).isEmpty();
    for (String flow : new String[] {"orders", "customers", "totals", "customer_names"}) {
      FlowResult failed = result.flow(flow).orElseThrow();
      assertThat(failed.state()).as(flow).isEqualTo(FlowState.FAILED);
      assertThat(failed.error()).as(flow).contains(message);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void enoughFreeSlotsRunEveryStreamingJobAtOnce() throws Exception {
    executor.slots(4).script("stream_customers", Run.runsUntilStopped());

    RunningUpdate update = continuous().start();
    assertThat(executor.firstRunningUntilStopped().get(60, TimeUnit.SECONDS))
        .isEqualTo("stream_customers");
    update.stop();
    UpdateResult result = update.await();

    assertThat(result.state()).isEqualTo(UpdateState.STOPPED);
    assertThat(executor.jobs()).contains("stream_orders", "stream_customers");
  }

  @Test
  void unknownSlotsKeepTodaysBehaviour() throws Exception {
    executor.script("stream_customers", Run.runsUntilStopped());

    RunningUpdate update = continuous().start();
    assertThat(executor.firstRunningUntilStopped().get(60, TimeUnit.SECONDS))
        .isEqualTo("stream_customers");
    update.stop();

    assertThat(update.await().state()).isEqualTo(UpdateState.STOPPED);
  }

  @Test
  void aTriggeredUpdateFailsAtOnceWhenAStreamingJobIsWiderThanTheWholeCluster() throws Exception {
    executor.slots(1);

    UpdateResult result = continuous().continuous(false).parallelism(2).start().await();

    String message =
        "The streaming jobs 'stream_orders', 'stream_customers', 'table_totals' of pipeline 'shop'"
            + " need 2 task slots at once (a slot per parallel task, parallelism 2), but the"
            + " update's own Flink cluster has 1 in all. Such a job would wait for slots that never"
            + " come and fail only after Flink's slot request timeout (slot.request.timeout, 5 min"
            + " by default), so no job was started. Give the cluster 1 more slot (more"
            + " TaskManagers, or a larger taskmanager.numberOfTaskSlots), or lower the pipeline's"
            + " `flink: parallelism:` to 1 or less.";
    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(result.error()).contains(message);
    assertThat(result.flow("totals").orElseThrow().error()).contains(message);
    assertThat(executor.jobs()).isEmpty();
  }

  @Test
  void aTriggeredUpdateRunsJobsThatFitTheClusterOneAtATime() throws Exception {
    executor.slots(1);

    UpdateResult result = continuous().continuous(false).start().await();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(executor.mostRunning()).isEqualTo(1);
  }
}
