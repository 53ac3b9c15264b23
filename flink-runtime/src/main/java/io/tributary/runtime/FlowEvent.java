package io.tributary.runtime;

import java.time.Instant;
import java.util.Objects;

/** One change of a flow's state during an update, as a running update's handle records it. */
public record FlowEvent(Instant time, String dataset, FlowState state, String detail) {

  public FlowEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
  }
}
