package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What every part of one update shares, fixed when it starts.
 *
 * @param updateId the update's id; a job's run within it extends it (retries, restarts)
 * @param number the update's number ({@link UpdateRecord})
 * @param generations each persisted dataset's and append flow's state generation
 * @param selected the jobs the update runs and resets
 * @param listener told of every flow's state
 * @param stopRequest completes when the update is asked to stop
 */
record UpdateScope(
    String updateId,
    long number,
    Map<String, String> generations,
    RefreshSelection.Resolved selected,
    UpdateListener listener,
    CompletableFuture<Void> stopRequest) {

  UpdateScope {
    generations = Map.copyOf(generations);
  }

  /** How the flows of an update ended: its state, each flow's end, and the first error. */
  record Ended(UpdateState state, List<FlowResult> flows, Optional<String> error) {
    Ended {
      flows = List.copyOf(flows);
    }
  }
}
