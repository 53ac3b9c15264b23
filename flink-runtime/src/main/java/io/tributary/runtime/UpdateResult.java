package io.tributary.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How an update ended: its state, each flow's result, and the root cause when it failed.
 *
 * @param number the update's sequence number in the pipeline's storage, from 1
 */
public record UpdateResult(
    String pipeline,
    String updateId,
    long number,
    UpdateState state,
    List<FlowResult> flows,
    Optional<String> error,
    Duration duration) {

  public UpdateResult {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(updateId, "updateId");
    Objects.requireNonNull(state, "state");
    flows = List.copyOf(flows);
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(duration, "duration");
  }

  public Optional<FlowResult> flow(String dataset) {
    return flows.stream().filter(f -> f.dataset().equals(dataset)).findFirst();
  }
}
