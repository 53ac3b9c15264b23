package io.tributary.bench;

import io.tributary.runtime.FlowEvent;
import io.tributary.runtime.FlowState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Wall time of the benchmark's two Flink jobs, read off an update's flow events: a job's flows move to
 * STARTING together before it is translated and submitted and to COMPLETED together after its last
 * commit, so the span between the two is the job's whole cost (translation, submission, run, the
 * stop-with-savepoint of a streaming job).
 *
 * @param streaming bronze_events + silver_events, one STREAMING job
 * @param gold gold_daily_metrics, one BATCH job
 */
public record StageTimings(Duration streaming, Duration gold) {

  /** The timings of the update whose flow events are {@code events}. */
  public static StageTimings of(List<FlowEvent> events) {
    return new StageTimings(
        Duration.between(
            first(events, "bronze_events", FlowState.STARTING),
            first(events, "silver_events", FlowState.COMPLETED)),
        Duration.between(
            first(events, "gold_daily_metrics", FlowState.STARTING),
            first(events, "gold_daily_metrics", FlowState.COMPLETED)));
  }

  /**
   * From {@code startDataset}'s STARTING to {@code endDataset}'s COMPLETED: one job's time when both
   * flows run in it (the other modes' targets: bronze alone, an SCD target).
   */
  public static Duration job(List<FlowEvent> events, String startDataset, String endDataset) {
    return Duration.between(
        first(events, startDataset, FlowState.STARTING),
        first(events, endDataset, FlowState.COMPLETED));
  }

  private static Instant first(List<FlowEvent> events, String dataset, FlowState state) {
    return events.stream()
        .filter(e -> e.dataset().equals(dataset) && e.state() == state)
        .map(FlowEvent::time)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "The update has no "
                        + state
                        + " event for '"
                        + dataset
                        + "'; its events were "
                        + events));
  }
}
