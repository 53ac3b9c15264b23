package io.tributary.runtime.remote;

import io.tributary.runtime.engine.JobFailedException;
import io.tributary.runtime.engine.SubmittedJob;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;

/**
 * Stops a job that a killed client left running on a Flink cluster (its update's record names it): a
 * streaming job with a savepoint, so its last epoch commits and its positions are kept for the next
 * run, or, if that fails, by cancelling it (the next run restores its newest retained checkpoint); a
 * batch job is cancelled (it has no state to keep). Only once it has ended may another job write its
 * tables.
 *
 * <pre>{@code
 * LeftoverJobs.Stopped stopped = LeftoverJobs.stop("flink-jm:8081", jobId, true, savepointDir, Duration.ofMinutes(5));
 * }</pre>
 */
public final class LeftoverJobs {

  /** How long a cancelled or stopped job may take to report its end. */
  private static final Duration END_TIMEOUT = Duration.ofSeconds(60);

  private LeftoverJobs() {}

  /** What became of a left job. */
  public enum How {
    /** It was running and stopped with a savepoint. */
    SAVEPOINT,
    /** It was running and cancelled (a batch job, or its savepoint failed). */
    CANCELLED,
    /** It had ended already, or the cluster no longer knows it. */
    ENDED
  }

  /**
   * @param savepoint the savepoint it was stopped with
   * @param detail why it was cancelled, or the state it had ended in
   */
  public record Stopped(How how, Optional<String> savepoint, String detail) {}

  /**
   * Stops job {@code jobId} on the cluster at {@code cluster} if it still runs, waiting until it has
   * ended.
   *
   * @throws IllegalStateException if the cluster cannot be asked, or the job does not end
   */
  public static Stopped stop(
      String cluster, String jobId, boolean streaming, String savepointDir, Duration timeout)
      throws InterruptedException {
    RemoteExecutor.HostPort address = RemoteExecutor.HostPort.parse(cluster);
    // asked once over plain HTTP first: a cluster that is gone answers at once (Flink's client
    // retries)
    String state;
    try {
      state = new RestCaughtUpReader(URI.create("http://" + address)).jobState(jobId);
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains(" answered 404")) {
        return new Stopped(How.ENDED, Optional.empty(), "the cluster does not know it (any more)");
      }
      throw new IllegalStateException(
          "Cannot ask the Flink cluster at "
              + cluster
              + " about job "
              + jobId
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ").",
          e);
    }
    if (java.util.Set.of(
            JobStatus.FINISHED.name(), JobStatus.FAILED.name(), JobStatus.CANCELED.name())
        .contains(state)) {
      return new Stopped(How.ENDED, Optional.empty(), state);
    }
    try (RemoteExecutor executor = RemoteExecutor.connect(cluster, List.of())) {
      SubmittedJob job = executor.attach(jobId);
      if (streaming) {
        try {
          String savepoint = job.stopWithSavepoint(savepointDir, timeout);
          awaitEnd(job, cluster, jobId);
          return new Stopped(How.SAVEPOINT, Optional.of(savepoint), "");
        } catch (JobFailedException failed) {
          job.cancel();
          awaitEnd(job, cluster, jobId);
          return new Stopped(
              How.CANCELLED,
              Optional.empty(),
              "stopping it with a savepoint failed: " + failed.getMessage());
        }
      }
      job.cancel();
      awaitEnd(job, cluster, jobId);
      return new Stopped(How.CANCELLED, Optional.empty(), "a batch job keeps no state");
    }
  }

  private static void awaitEnd(SubmittedJob job, String cluster, String jobId)
      throws InterruptedException {
    try {
      job.result().get(END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // it ended: how does not matter here
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Job "
              + jobId
              + " on the Flink cluster at "
              + cluster
              + " did not end within "
              + END_TIMEOUT
              + " of being stopped: cancel it (flink cancel "
              + jobId
              + ") and start again.",
          e);
    }
  }
}
