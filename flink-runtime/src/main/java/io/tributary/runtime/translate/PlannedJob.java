package io.tributary.runtime.translate;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One Flink job of an update: the persisted datasets it writes, in dependency order, and the jobs
 * whose output it reads.
 *
 * @param name stable across updates while the graph does not change: it names the job's state
 *     folder and prefixes its operators' uids
 */
public record PlannedJob(String name, Mode mode, List<String> datasets, Set<String> upstreamJobs) {

  /** How the job runs. */
  public enum Mode {
    /** Streaming flows: stopped with a savepoint once caught up, restored by the next update. */
    STREAMING,
    /** A materialized table recomputed from snapshots and replaced in one commit. */
    BATCH
  }

  public PlannedJob {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    datasets = List.copyOf(datasets);
    upstreamJobs = Set.copyOf(upstreamJobs);
  }
}
