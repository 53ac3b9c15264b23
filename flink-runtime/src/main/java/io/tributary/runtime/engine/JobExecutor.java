package io.tributary.runtime.engine;

import java.util.Optional;
import java.util.OptionalInt;

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
   * The task slots this executor's cluster offers an update's jobs, if known: a triggered update runs
   * independent jobs side by side as far as they fit. Unknown (the default), it runs one job at a time.
   */
  default OptionalInt slots() {
    return OptionalInt.empty();
  }

  /**
   * The task slots of this executor's cluster, free now and in all, if it can tell, else why not: a
   * continuous update checks with them that its streaming jobs, which run at once until stopped, fit
   * before it launches any. By default what {@link #slots()} says, as both free and total (a cluster
   * of the update's own, which no other job uses).
   */
  default ClusterSlots clusterSlots() {
    OptionalInt slots = slots();
    return slots.isPresent()
        ? ClusterSlots.known("the update's own Flink cluster", slots.getAsInt(), slots.getAsInt())
        : ClusterSlots.unknown(
            "the Flink cluster",
            "its executor does not say how many slots the cluster has (a cluster shared with the"
                + " caller, such as a test's)");
  }

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
