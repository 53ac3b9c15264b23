package io.tributary.runtime.translate;

import java.util.Map;
import java.util.Objects;

/**
 * What a job's translation needs to know of the update running it.
 *
 * @param updateNumber strictly increasing per pipeline: the version of a materialized table's
 *     overwrite transaction
 * @param generations each dataset's state generation, renewed by a full refresh: part of uids and
 *     transaction ids
 */
public record JobContext(String pipeline, PlannedJob job, String updateId, long updateNumber,
    Map<String, String> generations) {

  public JobContext {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(updateId, "updateId");
    generations = Map.copyOf(generations);
  }

  public boolean bounded() {
    return job.mode() == PlannedJob.Mode.BATCH;
  }

  /** A uid for an operator of {@code dataset}, stable across updates until the dataset is fully refreshed. */
  public String uid(String dataset, String operator) {
    String generation = generations.getOrDefault(dataset, "");
    return dataset + "-" + operator + (generation.isEmpty() ? "" : "-" + generation.substring(0, 8));
  }

  /** The transaction app id of the commits of {@code dataset}'s flow. */
  public String appId(String dataset) {
    return pipeline + "/" + dataset + "/" + dataset + "/" + generations.getOrDefault(dataset, "");
  }
}
