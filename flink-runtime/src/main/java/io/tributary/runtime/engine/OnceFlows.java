package io.tributary.runtime.engine;

import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.util.Map;

/**
 * Whether a {@code once} flow (a backfill) still has to run, remembered under {@code
 * <storage>/_tributary/once/<flow>} as the generation of its target it ran for. It runs when that
 * record is missing, unfinished, or of an older generation (a full refresh of the target renews it);
 * a run for a new generation starts from empty state, while an unfinished run of the same generation
 * resumes from its checkpoints, so its commits happen once.
 */
final class OnceFlows {

  private static final String RUNNING = " RUNNING";
  private static final String DONE = " DONE";

  private final PipelineStorage storage;

  OnceFlows(PipelineStorage storage) {
    this.storage = storage;
  }

  /** Whether once job {@code job} must run in this update; if so, records that it started. */
  boolean pending(PlannedJob job, Map<String, String> generations, String target) {
    String flow = job.datasets().get(0);
    String generation = generations.get(target);
    String record = storage.readText(storage.onceRecord(flow)).map(String::strip).orElse("");
    if (record.equals(generation + DONE)) {
      return false;
    }
    if (!record.startsWith(generation + " ")) {
      storage.clearState(job.name()); // left by a run for another generation of the target
    }
    storage.writeAtomically(storage.onceRecord(flow), generation + RUNNING + "\n");
    return true;
  }

  /** Records that once job {@code job} caught up and committed everything it read. */
  void done(PlannedJob job, Map<String, String> generations, String target) {
    storage.writeAtomically(
        storage.onceRecord(job.datasets().get(0)), generations.get(target) + DONE + "\n");
  }
}
