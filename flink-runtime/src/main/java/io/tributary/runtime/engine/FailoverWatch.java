package io.tributary.runtime.engine;

import io.tributary.runtime.config.PipelineSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the wait for a caught-up signal once a job has failed over. A triggered update waits for its
 * job's sources to catch up or for the job to end; a job whose tasks were restarted and whose sources
 * then never get their input back (a split a failed reader had and no one hands out again) does
 * neither, and the update would wait forever, silently. So, from the job's latest failover on, its
 * sources must catch up or the job must write a row (its live row counts change) within the timeout;
 * otherwise its result fails, naming the job, its sources and the setting, and the job is cancelled.
 * A job that never failed over is not timed: a long first read is not a stall, and its sources report
 * or its tasks fail.
 */
final class FailoverWatch {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverWatch.class);
  static final Duration POLL = Duration.ofSeconds(1);
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "tributary-failover-watch");
            thread.setDaemon(true);
            return thread;
          });

  private final JobSubmission submission;
  private final JobID id;
  private final EmbeddedCluster cluster;
  private final Duration timeout;
  private final CompletableFuture<Void> caughtUp;
  private final CompletableFuture<JobOutcome> result;
  private int failovers;
  private long quietSince;
  private Map<String, Long> rows = Map.of();
  private volatile ScheduledFuture<?> task;

  private FailoverWatch(
      JobSubmission submission,
      JobID id,
      EmbeddedCluster cluster,
      Duration timeout,
      CompletableFuture<Void> caughtUp,
      CompletableFuture<JobOutcome> result) {
    this.submission = submission;
    this.id = id;
    this.cluster = cluster;
    this.timeout = timeout;
    this.caughtUp = caughtUp;
    this.result = result;
  }

  /** Watches job {@code id} until it ends or its sources catch up. */
  static void watch(
      JobSubmission submission,
      JobID id,
      EmbeddedCluster cluster,
      Duration timeout,
      CompletableFuture<Void> caughtUp,
      CompletableFuture<JobOutcome> result) {
    FailoverWatch watch = new FailoverWatch(submission, id, cluster, timeout, caughtUp, result);
    watch.task =
        TIMER.scheduleWithFixedDelay(
            watch::check, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    caughtUp.whenComplete((ignored, error) -> watch.stop());
    result.whenComplete((ignored, error) -> watch.stop());
  }

  private void stop() {
    ScheduledFuture<?> scheduled = task;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }

  private void check() {
    try {
      if (caughtUp.isDone() || result.isDone()) {
        stop();
        return;
      }
      long now = System.nanoTime();
      int seen = cluster.failovers(id);
      if (seen == 0) {
        return; // never failed over: not timed
      }
      Map<String, Long> written = cluster.numericAccumulators(id);
      if (seen > failovers || !written.equals(rows)) {
        if (seen > failovers) {
          LOG.warn(
              "Job '{}' ({}) failed over ({} task restarts so far); its sources [{}] have {} to catch up or "
                  + "write a row before it is failed ({}).",
              submission.job(),
              id,
              seen,
              String.join(", ", submission.caughtUpSources()),
              TimeUtils.formatWithHighestUnit(timeout),
              PipelineSettings.CAUGHT_UP_TIMEOUT);
        }
        failovers = Math.max(failovers, seen);
        rows = written;
        quietSince = now;
        return;
      }
      if (now - quietSince >= timeout.toNanos()) {
        stop();
        Optional<Throwable> cause = cluster.lastTaskFailure(id);
        result.complete(
            JobOutcome.failed(
                JobFailedException.stalledAfterFailover(
                    submission.job(), failovers, submission.caughtUpSources(), timeout, cause)));
        cluster.cancel(id);
      }
    } catch (RuntimeException e) {
      // a job the cluster no longer knows has ended: its result says how
      LOG.debug("Failover watch of job {}: {}", id, e.toString());
    }
  }
}
