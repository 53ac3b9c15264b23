package io.tributary.runtime.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobStatus;

/** A job a {@link JobExecutor} runs: what the engine may learn of it and do to it. */
public interface SubmittedJob {

  /** The cluster's id of the job (a Flink {@code JobID} in hex). */
  String id();

  /** Completes when the job reached a terminal state, with its final accumulators or its failure. */
  CompletableFuture<JobOutcome> result();

  /**
   * Completes once every source the submission listed has read all there was at the run's start (at
   * once for a submission that listed none).
   */
  CompletableFuture<Void> caughtUp();

  /** The job's status now. */
  CompletableFuture<JobStatus> status();

  /**
   * The job's accumulators as its running tasks last reported them (heartbeats), by name; empty once
   * the cluster no longer knows the job. Live figures, not exact: final ones are in {@link #result()}.
   */
  CompletableFuture<Map<String, Object>> accumulators();

  /**
   * Stops the running job with a native savepoint in {@code dir} without draining (draining would emit
   * the final watermark and fire timers early), once every task runs, and returns the savepoint's
   * path. The job then ends FINISHED.
   *
   * @throws JobFailedException if the job could not be stopped so within {@code timeout}
   */
  String stopWithSavepoint(String dir, Duration timeout) throws InterruptedException;

  /** Cancels the job if it is still running; does nothing once it has ended. */
  void cancel();
}
