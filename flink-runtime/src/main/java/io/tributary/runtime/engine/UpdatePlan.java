package io.tributary.runtime.engine;

import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.PlannedJob;
import java.util.List;
import java.util.Objects;

/**
 * What an update runs: the analyzed pipeline and its jobs in dependency order, planned once. A flow
 * that restarts for new columns makes a new one ({@link SchemaRestarts}); job names derive from table
 * names, so the jobs keep their names.
 */
public record UpdatePlan(ResolvedPlan resolved, List<PlannedJob> jobs) {

  public UpdatePlan {
    Objects.requireNonNull(resolved, "resolved");
    jobs = List.copyOf(jobs);
  }

  /** Plans the jobs of {@code resolved}. */
  public static UpdatePlan of(ResolvedPlan resolved) {
    return new UpdatePlan(resolved, JobPlanner.plan(resolved));
  }

  /** The job named {@code name}. */
  public PlannedJob job(String name) {
    return jobs.stream()
        .filter(j -> j.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "job " + name + " is not in the plan; jobs: " + jobNames()));
  }

  public List<String> jobNames() {
    return jobs.stream().map(PlannedJob::name).toList();
  }

  public String pipeline() {
    return resolved.plan().pipeline();
  }
}
