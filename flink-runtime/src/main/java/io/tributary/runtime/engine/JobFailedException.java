package io.tributary.runtime.engine;

import io.tributary.runtime.config.PipelineSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.TimeUtils;

/**
 * A job of an update failed, or could not be watched or stopped; the message names the job and the
 * root cause. Made only by the factories below, one per way a job fails, whichever executor runs it.
 */
public final class JobFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private static final String STOPPING_FAILED =
      "org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException";

  /** Whether the message is whole: what the user should read, rather than a cause's deeper message. */
  private final boolean whole;

  /** Whether the job failed while a stop-with-savepoint stopped it, and the cause is its own failure. */
  private boolean whileStopping;

  private JobFailedException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private JobFailedException(String message, Throwable cause, boolean whole) {
    super(message, cause);
    this.whole = whole;
  }

  /**
   * A failure whose message already says all a user needs (a row that made an expression throw, with
   * its pipeline, dataset, file and line): {@link JobErrors#rootMessage} reports it as it is instead of
   * its cause's deeper, barer message.
   */
  static JobFailedException withWholeMessage(String message, Throwable cause) {
    return new JobFailedException(message, cause, true);
  }

  boolean hasWholeMessage() {
    return whole;
  }

  /** Job {@code job} ended failed with {@code cause}. */
  public static JobFailedException failed(String job, Throwable cause) {
    return new JobFailedException("Job " + job + " failed: " + JobErrors.rootMessage(cause), cause);
  }

  /** Waiting for a job's result failed with {@code error}: its root message says why. */
  public static JobFailedException waitFailed(ExecutionException error) {
    return new JobFailedException(JobErrors.rootMessage(error), error.getCause());
  }

  /** Job {@code job} ended on its own before it could be stopped with a savepoint. */
  public static JobFailedException endedBeforeStop(String job) {
    return new JobFailedException(
        "Job " + job + " ended before it could be stopped with a savepoint.", null);
  }

  /** Job {@code job} did not run all its tasks on {@code cluster} within {@code timeout}. */
  public static JobFailedException tasksNotStarted(String job, String cluster, Duration timeout) {
    return new JobFailedException(
        "Job "
            + job
            + " did not start all its tasks on "
            + cluster
            + " within "
            + timeout
            + ", so it could not be stopped with a savepoint.",
        null);
  }

  /** Job {@code job}'s state could not be read from {@code cluster}. */
  public static JobFailedException unreadable(String job, String cluster, Exception cause) {
    return new JobFailedException(
        "Cannot read job " + job + " from " + cluster + ": " + cause.getMessage(), cause);
  }

  /** Stopping job {@code job} with a savepoint did not end within {@code timeout}. */
  public static JobFailedException stopTimedOut(String job, Duration timeout, Exception cause) {
    return new JobFailedException(
        "Stopping job "
            + job
            + " with a savepoint took longer than "
            + timeout
            + "; it is cancelled, and the next update restores its newest checkpoint.",
        cause);
  }

  /** Stopping job {@code job} with a savepoint failed with {@code error}. */
  public static JobFailedException stopFailed(String job, ExecutionException error) {
    return new JobFailedException(
        "Stopping job "
            + job
            + " with a savepoint failed: "
            + ExceptionUtils.stripExecutionException(error).getMessage(),
        error.getCause());
  }

  /**
   * Whether {@code error} is Flink's report that the job failed while a stop-with-savepoint was stopping
   * it, after the savepoint was written ("A savepoint has been created at …, but the corresponding job
   * failed during stopping"): it says nothing of why, which only the failed task's own exception tells
   * (a Delta commit on a full disk, say). Matched by name: a remote cluster's arrives serialized.
   */
  public static boolean failedDuringStopping(Throwable error) {
    for (Throwable cause = error;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      String name =
          cause instanceof org.apache.flink.util.SerializedThrowable serialized
              ? serialized.getOriginalErrorClassName()
              : cause.getClass().getName();
      if (name.equals(STOPPING_FAILED)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Job {@code job} failed while it was being stopped with a savepoint, after the savepoint was
   * written: {@code taskFailure} is what failed it (the cause, so its message and the storage's hint
   * are the ones reported), {@code flinks} Flink's report of the stop (kept as suppressed, for the
   * log).
   */
  public static JobFailedException failedWhileStopping(
      String job, Throwable taskFailure, Throwable flinks) {
    JobFailedException failed =
        new JobFailedException(
            "Job "
                + job
                + " failed while it was being stopped with a savepoint: "
                + JobErrors.rootMessage(taskFailure),
            taskFailure);
    if (flinks != null && flinks != taskFailure) {
      failed.addSuppressed(flinks);
    }
    failed.whileStopping = true;
    return failed;
  }

  /** Whether this is {@link #failedWhileStopping}'s: its cause is the job's own failure. */
  boolean isFailureWhileStopping() {
    return whileStopping;
  }

  /**
   * Whether a stop-with-savepoint failed only because not all of the job's tasks run yet (a job that
   * just started or restarted): worth asking again.
   */
  public static boolean stopNotReadyYet(ExecutionException error) {
    return ExceptionUtils.findThrowableWithMessage(error, "Not all required tasks").isPresent()
        || ExceptionUtils.findThrowableWithMessage(error, "not all required tasks").isPresent()
        || ExceptionUtils.findThrowableWithMessage(error, "tasks not ready").isPresent()
        || ExceptionUtils.findThrowableWithMessage(error, "is not being executed at the moment")
            .isPresent();
  }

  /** Job {@code job} on {@code cluster}: its sources did not catch up within {@code timeout}. */
  public static JobFailedException notCaughtUp(
      String job, String cluster, String why, Duration timeout) {
    return new JobFailedException(
        "Job '"
            + job
            + "' on "
            + cluster
            + ": "
            + why
            + " The wait is "
            + PipelineSettings.CAUGHT_UP_TIMEOUT
            + " in the pipeline's configuration (now "
            + TimeUtils.formatWithHighestUnit(timeout)
            + "); the job is cancelled.",
        null);
  }

  /** Whether job {@code job}'s sources caught up could not be read from {@code cluster}'s {@code endpoint}. */
  public static JobFailedException caughtUpUnreadable(
      String job, String cluster, int attempts, String endpoint, Exception cause) {
    return new JobFailedException(
        "Job '"
            + job
            + "': cannot read whether its sources caught up from "
            + cluster
            + " ("
            + attempts
            + " attempts; "
            + endpoint
            + "): "
            + cause.getMessage(),
        cause);
  }

  /**
   * Job {@code job} failed over and since then its {@code sources} have neither caught up nor written a
   * row within {@code timeout}; {@code cause}: the failure its tasks restarted after, when known.
   */
  public static JobFailedException stalledAfterFailover(
      String job,
      int failovers,
      List<String> sources,
      Duration timeout,
      Optional<Throwable> cause) {
    return new JobFailedException(
        "Job '"
            + job
            + "' failed over ("
            + failovers
            + " task restarts) and since then"
            + " its sources "
            + sources
            + " have neither caught up nor written a row in "
            + TimeUtils.formatWithHighestUnit(timeout)
            + ": a restarted source that does not get its input back would"
            + " wait forever, so the job is cancelled. "
            + cause
                .map(e -> "Its tasks restarted after: " + sentence(JobErrors.rootMessage(e)) + " ")
                .orElse("The log says why its tasks restarted. ")
            + "The wait is "
            + PipelineSettings.CAUGHT_UP_TIMEOUT
            + " in the pipeline's configuration.",
        cause.orElse(null));
  }

  /** A job {@code which} an earlier update left running could not be stopped: {@code problem} says why. */
  public static JobFailedException leftRunning(String which, String problem, Throwable cause) {
    return new JobFailedException(which + problem, cause);
  }

  private static String sentence(String message) {
    return message.endsWith(".") ? message : message + ".";
  }
}
