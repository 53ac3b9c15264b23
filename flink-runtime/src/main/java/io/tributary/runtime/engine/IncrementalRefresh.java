package io.tributary.runtime.engine;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.util.Optional;

/**
 * When an incremental materialized table (a STREAMING job of a materialized table, see
 * {@link io.tributary.runtime.translate.JobPlanner#plan(io.tributary.runtime.analysis.ResolvedPlan)})
 * starts over: with no saved state to continue from (its first incremental update, a full refresh,
 * a crash before its first savepoint) or with state saved by another definition. It then drops its
 * state and its table, and its query runs as a stream over every row of its inputs: a complete
 * recompute, after which the next updates are incremental again.
 */
final class IncrementalRefresh {

  private IncrementalRefresh() {}

  /** Whether {@code job} maintains a materialized table incrementally. */
  static boolean incremental(UpdatePlan plan, PlannedJob job) {
    return job.mode() == PlannedJob.Mode.STREAMING && !job.once() && job.datasets().size() == 1
        && plan.resolved().plan().dataset(job.datasets().get(0))
            .map(d -> d.kind() == DatasetKind.MATERIALIZED_TABLE).orElse(false);
  }

  /** Why incremental {@code job} must recompute its table in this update, if it must. */
  static Optional<String> whyRecompute(PipelineStorage storage, UpdatePlan plan, PlannedJob job) {
    if (storage.stateToRestore(job.name()).isEmpty()) {
      return Optional.of("it has no saved state to continue from (its first incremental update, or a full"
          + " refresh): its query runs over every row of its inputs and replaces the table");
    }
    Optional<String> saved = storage.stateFingerprint(job.name());
    if (saved.isEmpty()) {
      return Optional.of("its last run ended before saving its state: its query runs over every row of its"
          + " inputs and replaces the table");
    }
    return StateFingerprint.of(plan.resolved(), job).differenceFrom(StateFingerprint.parse(saved.get()))
        .map(difference -> "its definition changed (" + difference + "): its state is dropped and its query"
            + " runs over every row of its inputs and replaces the table");
  }

  /** Drops {@code job}'s state and table if it must recompute them; returns why it must, if it must. */
  static Optional<String> startOverIfNeeded(PipelineStorage storage, UpdatePlan plan, PlannedJob job) {
    Optional<String> why = whyRecompute(storage, plan, job);
    if (why.isPresent()) {
      storage.clearState(job.name());
      job.datasets().forEach(storage::clearTable);
    }
    return why;
  }
}
