package io.tributary.runtime.engine;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A job for a {@link JobExecutor} to run.
 *
 * @param job the planned job's name, stable across updates (its state folder's name)
 * @param graph the translated job; its configuration carries checkpointing and restart settings
 * @param restoreFrom the savepoint or retained checkpoint the job restores, if any (claim mode
 *     NO_CLAIM: the engine owns its snapshots)
 * @param runId names this run of the job within its update (a retry or restart gets its own), the key
 *     its sources report caught up under
 * @param caughtUpSources the sources whose caught-up signal {@link SubmittedJob#caughtUp()} waits for
 *     (none for a job that ends on its own, or one of a continuous update)
 */
public record JobSubmission(
    String job,
    StreamGraph graph,
    Optional<String> restoreFrom,
    String runId,
    List<String> caughtUpSources) {

  public JobSubmission {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(restoreFrom, "restoreFrom");
    Objects.requireNonNull(runId, "runId");
    caughtUpSources = List.copyOf(caughtUpSources);
  }
}
