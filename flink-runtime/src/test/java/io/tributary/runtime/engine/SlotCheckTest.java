package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotCheckTest {

  private static final String CLUSTER = "the Flink cluster at 127.0.0.1:8081";

  private static Map<String, Integer> medallion(int parallelism) {
    Map<String, Integer> jobs = new LinkedHashMap<>();
    jobs.put("silver_orders", parallelism);
    jobs.put("silver_customers", parallelism);
    jobs.put("gold_customer_orders", parallelism);
    return jobs;
  }

  @Test
  void needsASlotPerParallelTaskOfEachStreamingJobAndOneForRecomputations() {
    assertThat(SlotCheck.needed(medallion(1), false)).isEqualTo(3);
    assertThat(SlotCheck.needed(medallion(2), false)).isEqualTo(6);
    assertThat(SlotCheck.needed(medallion(2), true)).isEqualTo(7);
    // recomputations alone run one job at a time, as a triggered update's
    assertThat(SlotCheck.needed(Map.of(), true)).isZero();
  }

  @Test
  void jobsThatFitTheFreeSlotsPass() {
    assertThat(
            SlotCheck.shortfall(
                "medallion", medallion(1), false, ClusterSlots.known(CLUSTER, 3, 3)))
        .isEmpty();
    assertThat(
            SlotCheck.shortfall("medallion", medallion(1), true, ClusterSlots.known(CLUSTER, 4, 8)))
        .isEmpty();
  }

  @Test
  void tooFewSlotsOnAClusterOfItsOwnNamesEachJobAndTheFix() {
    assertThat(
            SlotCheck.shortfall(
                "medallion", medallion(1), false, ClusterSlots.known(CLUSTER, 2, 2)))
        .contains(
            "Continuous update of pipeline 'medallion' needs 3 task slots at once, but the Flink"
                + " cluster at 127.0.0.1:8081 has 2 free: its streaming jobs run side by side until"
                + " stopped, each with a slot per parallel task: 'silver_orders' (parallelism 1),"
                + " 'silver_customers' (parallelism 1), 'gold_customer_orders' (parallelism 1). A job"
                + " without slots would wait for them and fail only after Flink's slot request"
                + " timeout (slot.request.timeout, 5 min by default), so no job was started. Give the"
                + " cluster 1 more free slot (more TaskManagers, or a larger"
                + " taskmanager.numberOfTaskSlots), or lower the pipeline's `flink: parallelism:`.");
  }

  @Test
  void slotsOtherJobsHoldAreNotFreeAndTheMessageSaysSo() {
    assertThat(
            SlotCheck.shortfall("medallion", medallion(2), true, ClusterSlots.known(CLUSTER, 3, 8)))
        .contains(
            "Continuous update of pipeline 'medallion' needs 7 task slots at once, but the Flink"
                + " cluster at 127.0.0.1:8081 has 3 free (8 in all; the cluster's other running jobs"
                + " hold 5): its streaming jobs run side by side until stopped, each with a slot per"
                + " parallel task: 'silver_orders' (parallelism 2), 'silver_customers' (parallelism"
                + " 2), 'gold_customer_orders' (parallelism 2), and 1 for the recomputation of its"
                + " materialized tables. A job without slots would wait for them and fail only after"
                + " Flink's slot request timeout (slot.request.timeout, 5 min by default), so no job"
                + " was started. Give the cluster 4 more free slots (more TaskManagers, or a larger"
                + " taskmanager.numberOfTaskSlots, or stop its other jobs), or lower the pipeline's"
                + " `flink: parallelism:`.");
  }

  @Test
  void unknownSlotsAreNotGuessed() {
    assertThat(
            SlotCheck.shortfall(
                "medallion",
                medallion(8),
                true,
                ClusterSlots.unknown(CLUSTER, "its REST API did not answer")))
        .isEmpty();
  }

  @Test
  void aJobTakesThePipelinesParallelismUnlessItsFlinkOptionsSetParallelismDefault() {
    assertThat(SlotCheck.parallelism(settings(2, Map.of()))).isEqualTo(2);
    assertThat(SlotCheck.parallelism(settings(2, Map.of("parallelism.default", " 3"))))
        .isEqualTo(3);
  }

  @Test
  void anExecutorThatSaysItsSlotsHasThemAllFreeUnlessItOverrides() {
    assertThat(new FakeExecutor().slots(4).clusterSlots())
        .isEqualTo(ClusterSlots.known("the update's own Flink cluster", 4, 4));
    assertThat(new FakeExecutor().clusterSlots().isKnown()).isFalse();
  }

  private static RunSettings settings(int parallelism, Map<String, String> flinkOptions) {
    return new RunSettings(parallelism, java.time.Duration.ofSeconds(1), false, flinkOptions);
  }

  @Test
  void aTriggeredStreamingJobMayWaitForFreeSlotsButNotForMoreThanTheClusterHas() {
    assertThat(
            SlotCheck.tooWide(
                "medallion", List.of("stream_orders"), 4, ClusterSlots.known(CLUSTER, 0, 4)))
        .isEmpty();
    assertThat(SlotCheck.tooWide("medallion", List.of(), 8, ClusterSlots.known(CLUSTER, 4, 4)))
        .isEmpty();
    assertThat(
            SlotCheck.tooWide(
                "medallion",
                List.of("stream_orders"),
                8,
                ClusterSlots.unknown(CLUSTER, "its REST API did not answer")))
        .isEmpty();
    assertThat(
            SlotCheck.tooWide(
                "medallion", List.of("stream_orders"), 5, ClusterSlots.known(CLUSTER, 4, 4)))
        .contains(
            "The streaming job 'stream_orders' of pipeline 'medallion' needs 5 task slots at once"
                + " (a slot per parallel task, parallelism 5), but the Flink cluster at"
                + " 127.0.0.1:8081 has 4 in all. Such a job would wait for slots that never come and"
                + " fail only after Flink's slot request timeout (slot.request.timeout, 5 min by"
                + " default), so no job was started. Give the cluster 1 more slot (more"
                + " TaskManagers, or a larger taskmanager.numberOfTaskSlots), or lower the"
                + " pipeline's `flink: parallelism:` to 4 or less.");
  }
}
