package io.tributary.runtime.remote;

import io.tributary.runtime.engine.JobFailedException;
import io.tributary.runtime.engine.JobOutcome;
import io.tributary.runtime.engine.JobSubmission;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What {@link RemoteExecutor} and {@link ContextExecutor} do alike with a job on a Flink cluster, over
 * the JobManager's REST API ({@link RestCaughtUpReader}): wait for its sources to catch up, stop it with
 * a savepoint once all its tasks run, and read its numeric accumulators. They differ only in how they
 * submit, cancel and call the stop (a {@code RestClusterClient} with the job's id, or Flink's
 * {@code JobClient}).
 */
final class ClusterJobWatch {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration FAILED_STOP_PATIENCE = Duration.ofSeconds(30);

  /** A busy JobManager may fail to answer once: only this many failures in a row end the job. */
  private static final int UNREADABLE_LIMIT = 10;

  private static final List<String> TERMINAL =
      List.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  private final RestCaughtUpReader reader;
  private final String cluster;
  private final String endpoint;
  private final Duration caughtUpTimeout;

  /**
   * @param cluster the cluster as messages name it, such as {@code the Flink cluster at 127.0.0.1:8081}
   * @param endpoint where its REST endpoint comes from, for a message when it cannot be read
   */
  ClusterJobWatch(
      RestCaughtUpReader reader, String cluster, String endpoint, Duration caughtUpTimeout) {
    this.reader = reader;
    this.cluster = cluster;
    this.endpoint = endpoint;
    this.caughtUpTimeout = caughtUpTimeout;
  }

  /**
   * A job's result on a cluster, which this watch may decide before the job ends: a failure it finds
   * (sources that did not catch up) is recorded first, then the job is cancelled, then the result is
   * completed with that failure. So the update, which waits on the result, goes on only once the
   * cluster has taken the cancellation or the job has ended (never closing its client under a cancel
   * still on its way), and the job's own end, CANCELED, does not take the failure's place. Where the
   * JobManager no longer answers, the cancel's wait ({@link #cancelAndWait}) delays the update's
   * failure by up to 30 s.
   */
  static final class WatchedResult {
    private final CompletableFuture<JobOutcome> result = new CompletableFuture<>();
    private final AtomicReference<JobOutcome> failure = new AtomicReference<>();

    CompletableFuture<JobOutcome> future() {
      return result;
    }

    /** The job ended with {@code outcome}: its result, unless this watch failed it first. */
    void ended(JobOutcome outcome) {
      JobOutcome failed = failure.get();
      result.complete(failed != null ? failed : outcome);
    }

    /** Fails the job with {@code failed}: cancels it through {@code cancel}, which waits for the cluster to take it. */
    void fail(JobOutcome failed, Runnable cancel) {
      failure.compareAndSet(null, failed);
      try {
        cancel.run();
      } finally {
        result.complete(failed);
      }
    }
  }

  /**
   * Cancels a job through {@code cancel} (a REST call of the executor's client) and waits at most 30
   * s for the cluster to take it; a job that has ended already, or a cluster that does not answer,
   * ends the wait without an error.
   */
  static void cancelAndWait(Supplier<? extends CompletableFuture<?>> cancel) {
    try {
      cancel.get().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException alreadyEnded) {
      // nothing more to do
    }
  }

  /**
   * Waits for the sources' gauges of job {@code jobId}. A timeout fails the job's result (naming the
   * sources) rather than the caught-up future, so the update fails and never takes the job for caught
   * up; the job is cancelled first ({@link WatchedResult#fail}). So it is when the endpoint cannot be
   * read {@value #UNREADABLE_LIMIT} times.
   */
  void awaitCaughtUp(
      String jobId,
      JobSubmission submission,
      CompletableFuture<Void> caughtUp,
      WatchedResult result,
      Runnable cancel) {
    long deadline = System.nanoTime() + caughtUpTimeout.toNanos();
    int unreadable = 0;
    while (true) {
      try {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        reader.await(
            jobId, submission.runId(), submission.caughtUpSources(), left, caughtUpTimeout);
        caughtUp.complete(null);
        return;
      } catch (TimeoutException e) {
        result.fail(
            JobOutcome.failed(
                JobFailedException.notCaughtUp(
                    submission.job(), cluster, e.getMessage(), caughtUpTimeout)),
            cancel);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IllegalStateException jobEnded) {
        return; // the job ended first: its result says how
      } catch (IOException | RuntimeException e) {
        if (result.future().isDone()) {
          return;
        }
        if (++unreadable >= UNREADABLE_LIMIT || System.nanoTime() >= deadline) {
          result.fail(
              JobOutcome.failed(
                  JobFailedException.caughtUpUnreadable(
                      submission.job(), cluster, unreadable, endpoint, e)),
              cancel);
          return;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Stops job {@code jid} with a savepoint in {@code dir} through {@code stop} once all its tasks run
   * (a savepoint needs them), asking again while the cluster answers that they are not ready yet; the
   * savepoint's path.
   */
  String stopWithSavepoint(
      String jid,
      CompletableFuture<JobOutcome> result,
      Duration timeout,
      Supplier<CompletableFuture<String>> stop)
      throws InterruptedException {
    long started = System.nanoTime();
    try {
      while (!reader.allTasksRunning(jid)) {
        if (result.isDone() || TERMINAL.contains(reader.jobState(jid))) {
          throw JobFailedException.endedBeforeStop(jid);
        }
        if (System.nanoTime() - started > START_TIMEOUT.toNanos()) {
          throw JobFailedException.tasksNotStarted(jid, cluster, START_TIMEOUT);
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw JobFailedException.unreadable(jid, cluster, e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        long remaining = Math.max(1, deadline - System.nanoTime());
        return stop.get().get(remaining, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw JobFailedException.stopTimedOut(jid, timeout, e);
      } catch (ExecutionException e) {
        if (JobFailedException.failedDuringStopping(e)) {
          throw failedWhileStopping(jid, result, e, deadline);
        }
        if (!JobFailedException.stopNotReadyYet(e)
            || System.nanoTime() > deadline
            || result.isDone()) {
          throw JobFailedException.stopFailed(jid, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * Job {@code jid} failed while it was being stopped, after its savepoint: its task's own failure from
   * the cluster's exception history, once it has ended (a restart strategy may first restart it; at
   * most {@link #FAILED_STOP_PATIENCE}), as the cause.
   */
  private RuntimeException failedWhileStopping(
      String jid, CompletableFuture<JobOutcome> result, ExecutionException stop, long deadline)
      throws InterruptedException {
    long wait = Math.min(Math.max(1, deadline - System.nanoTime()), FAILED_STOP_PATIENCE.toNanos());
    try {
      result.get(wait, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException stillRunning) {
      // its latest task failure is still what made the stop fail
    }
    try {
      java.util.Optional<Throwable> failure = reader.taskFailure(jid);
      if (failure.isPresent()) {
        return JobFailedException.failedWhileStopping(jid, failure.get(), stop.getCause());
      }
    } catch (IOException unreadable) {
      // the stop's own failure is all there is to say
    }
    return JobFailedException.stopFailed(jid, stop);
  }

  /** A job's numeric accumulators as longs, from what the cluster answered (nothing if it failed). */
  static CompletableFuture<Map<String, Object>> counts(
      CompletableFuture<Map<String, Object>> accumulators) {
    return accumulators.handle(
        (values, error) -> {
          Map<String, Object> numbers = new HashMap<>();
          if (values != null) {
            values.forEach(
                (name, value) -> {
                  if (value instanceof Number number) {
                    numbers.put(name, number.longValue());
                  }
                });
          }
          return Map.copyOf(numbers);
        });
  }
}
