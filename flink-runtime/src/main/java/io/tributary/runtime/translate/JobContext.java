package io.tributary.runtime.translate;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a job's translation needs to know of the update running it.
 *
 * @param updateNumber strictly increasing per pipeline: the base of a materialized table's
 *     overwrite transaction
 * @param generations each dataset's state generation, renewed by a full refresh: part of uids and
 *     transaction ids
 * @param continuous whether sources keep discovering new input (continuous mode) rather than read
 *     what was there at the update's start (triggered mode)
 * @param triggerInterval the epoch length, and in continuous mode how often sources look for input
 * @param recomputation which recomputation of a materialized table this is within the update (0 in
 *     triggered mode)
 */
public record JobContext(
    String pipeline,
    PlannedJob job,
    String updateId,
    long updateNumber,
    Map<String, String> generations,
    boolean continuous,
    Duration triggerInterval,
    int recomputation) {

  /** How many times one update may recompute a materialized table (continuous mode). */
  public static final int MAX_RECOMPUTATIONS = 1 << 20;

  public JobContext {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(updateId, "updateId");
    Objects.requireNonNull(triggerInterval, "triggerInterval");
    generations = Map.copyOf(generations);
    if (recomputation < 0 || recomputation >= MAX_RECOMPUTATIONS) {
      throw new IllegalArgumentException("recomputation out of range: " + recomputation);
    }
  }

  /** The context of a job of a triggered update. */
  public JobContext(
      String pipeline,
      PlannedJob job,
      String updateId,
      long updateNumber,
      Map<String, String> generations) {
    this(pipeline, job, updateId, updateNumber, generations, false, Duration.ofSeconds(10), 0);
  }

  /**
   * This context for run {@code attempt} (from 1) of the job within its update: a retry gets its own
   * id, so the signals of a failed attempt (its sources had caught up) do not stop the retry early.
   */
  public JobContext forAttempt(int attempt) {
    return attempt <= 1
        ? this
        : new JobContext(
            pipeline,
            job,
            updateId + "#" + attempt,
            updateNumber,
            generations,
            continuous,
            triggerInterval,
            recomputation);
  }

  /**
   * The id this run of the job reports its sources caught up under: the job's name and its update's
   * run ({@link #forAttempt}, a schema restart). Jobs of one update that read the same source (two
   * apply-changes targets of one change feed view) run side by side, and their sources share a uid:
   * keyed by the update alone, the first to catch up stopped the other before it had read its input.
   */
  public String runId() {
    return job.name() + "@" + updateId;
  }

  /**
   * The transaction version of a materialized table's overwrite: strictly increasing across updates
   * and across the recomputations of one continuous update, and the same when a failed job of the
   * same update and recomputation is run again, so that rerun commits nothing twice.
   */
  public long overwriteVersion() {
    return updateNumber * MAX_RECOMPUTATIONS + recomputation;
  }

  public boolean bounded() {
    return job.mode() == PlannedJob.Mode.BATCH;
  }

  /** A uid for an operator of {@code dataset}, stable across updates until the dataset is fully refreshed. */
  public String uid(String dataset, String operator) {
    String generation = generations.getOrDefault(dataset, "");
    return dataset
        + "-"
        + operator
        + (generation.isEmpty() ? "" : "-" + generation.substring(0, 8));
  }

  /**
   * The transaction app id of the commits of {@code dataset}'s flow: pipeline/flow/table/generation.
   * A {@code once} job's flow commits under its own name, so its transaction versions never mix with
   * those of the job that streams into the same table.
   */
  public String appId(String dataset) {
    return pipeline
        + "/"
        + flowName(dataset)
        + "/"
        + dataset
        + "/"
        + generations.getOrDefault(dataset, "");
  }

  /** The flow that writes {@code dataset} in this job: the once flow of a once job, else the dataset's own. */
  public String flowName(String dataset) {
    return job.once() ? job.flows().get(0) : dataset;
  }
}
