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
 * @param flows the append flows the job runs: those into its streaming tables, or for a
 *     {@code once} job its one backfill flow
 * @param once whether this job runs one backfill flow ({@code appendFlow(…).once()}); its
 *     {@code datasets} is then that flow's name, so its state, events and resets are the flow's own
 */
public record PlannedJob(
    String name,
    Mode mode,
    List<String> datasets,
    Set<String> upstreamJobs,
    List<String> flows,
    boolean once) {

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
    flows = List.copyOf(flows);
  }

  /** A job of datasets' own flows, with no append flow. */
  public PlannedJob(String name, Mode mode, List<String> datasets, Set<String> upstreamJobs) {
    this(name, mode, datasets, upstreamJobs, List.of(), false);
  }
}
