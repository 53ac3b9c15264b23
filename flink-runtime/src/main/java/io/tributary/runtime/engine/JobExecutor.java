package io.tributary.runtime.engine;

import java.util.Optional;

/**
 * What the engine asks of a Flink cluster: run a job and hand back a {@link SubmittedJob} to watch,
 * read, stop with a savepoint or cancel. The engine knows nothing else of the cluster, not even
 * whether it shares a JVM with the tasks: {@link EmbeddedExecutor} runs jobs on the in-process
 * {@link EmbeddedCluster}; a remote cluster is one more implementation (job ids, savepoint paths and
 * accumulators cross this seam as strings and maps, so a REST client can serve it).
 *
 * <pre>{@code
 * SubmittedJob job = executor.submit(new JobSubmission(name, graph, restorePath, runId, sourceIds));
 * job.caughtUp().get();                       // every listed source read what was there
 * String savepoint = job.stopWithSavepoint(dir, Duration.ofMinutes(5));
 * JobOutcome outcome = job.result().get();    // FINISHED, with the final accumulators
 * }</pre>
 */
public interface JobExecutor extends AutoCloseable {

  /**
   * Submits a job and returns at once. Fails (unchecked) only if the cluster refused the job; a job
   * that fails later completes its {@link SubmittedJob#result()} with the failure.
   */
  SubmittedJob submit(JobSubmission submission);

  /**
   * The address of the cluster the jobs run on when they outlive this process (a remote cluster's
   * {@code host:port}), which the update record keeps so the next update can stop the jobs a killed
   * client left running; empty when they end with it (an embedded cluster).
   */
  default Optional<String> cluster() {
    return Optional.empty();
  }

  /** Releases what this executor holds, such as a cluster it started; jobs it ran are not touched. */
  @Override
  default void close() {}
}
