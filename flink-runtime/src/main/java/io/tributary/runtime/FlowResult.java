package io.tributary.runtime;

import java.util.Objects;
import java.util.Optional;

/** How one flow ended in an update: its dataset, the job that ran it, its state and, if it failed, why. */
public record FlowResult(String dataset, String job, FlowState state, Optional<String> error) {

  public FlowResult {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(error, "error");
  }
}
