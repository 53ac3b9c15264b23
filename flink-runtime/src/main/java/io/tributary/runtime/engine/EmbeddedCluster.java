package io.tributary.runtime.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.accumulators.StringifiedAccumulatorResult;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.ExceptionUtils;

/**
 * One long-lived in-process Flink cluster that every job of a pipeline is submitted to, so an
 * update pays for start-up once (2.5-3 s) rather than per job. Must be closed to let the JVM exit.
 */
public final class EmbeddedCluster implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration LIVE_REPORT_INTERVAL = Duration.ofSeconds(1);
  private static final Duration FAILED_STOP_PATIENCE = Duration.ofSeconds(30);

  private final MiniCluster cluster;
  private final int slots;

  private EmbeddedCluster(MiniCluster cluster, int slots) {
    this.cluster = cluster;
    this.slots = slots;
  }

  /** Starts a cluster with one task manager of {@code slots} slots. */
  public static EmbeddedCluster start(int slots, Configuration flinkConf) {
    Configuration conf = new Configuration(flinkConf);
    conf.set(RestOptions.BIND_PORT, "0");
    if (!conf.contains(HeartbeatManagerOptions.HEARTBEAT_INTERVAL)) {
      // task managers report running tasks' accumulators (the live row counts) with each heartbeat
      conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, LIVE_REPORT_INTERVAL);
    }
    MiniClusterConfiguration config =
        new MiniClusterConfiguration.Builder()
            .setConfiguration(conf)
            .setNumTaskManagers(1)
            .setNumSlotsPerTaskManager(slots)
            .withRandomPorts()
            .build();
    MiniCluster cluster = new MiniCluster(config);
    try {
      cluster.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot start the embedded Flink cluster: " + e.getMessage(), e);
    }
    return new EmbeddedCluster(cluster, slots);
  }

  /** The task slots of its one task manager. */
  public int slots() {
    return slots;
  }

  /** The cluster's REST endpoint ({@code http://host:port}), as a remote cluster's: jobs, vertices, metrics. */
  public java.net.URI restAddress() {
    try {
      return cluster.getRestAddress().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while asking the embedded cluster for its REST address", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "The embedded cluster has no REST endpoint: " + e.getMessage(), e);
    }
  }

  public JobID submit(StreamGraph graph) {
    if (graph.getOptionalJobId().isEmpty()) {
      graph.setJobId(new JobID());
    }
    return join(cluster.submitJob(graph)).getJobID();
  }

  public CompletableFuture<JobResult> result(JobID job) {
    return cluster.requestJobResult(job);
  }

  public JobStatus status(JobID job) {
    return join(cluster.getJobStatus(job));
  }

  public void cancel(JobID job) {
    join(cluster.cancelJob(job));
  }

  /**
   * The job's accumulators whose values are whole numbers, as its tasks last reported them (running
   * tasks report with every heartbeat); empty if the cluster no longer knows the job.
   */
  public Map<String, Long> numericAccumulators(JobID job) {
    Map<String, Long> values = new HashMap<>();
    try {
      for (StringifiedAccumulatorResult result :
          cluster.getExecutionGraph(job).get().getAccumulatorResultsStringified()) {
        try {
          values.put(result.getName(), Long.parseLong(result.getValue()));
        } catch (NumberFormatException notANumber) {
          // another kind of accumulator
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException unknownJob) {
      return Map.of();
    }
    return values;
  }

  /**
   * Waits until the job and every one of its tasks run: a stop-with-savepoint before that fails
   * with "Not all required tasks are currently running". Returns false if the job ended first.
   */
  public boolean awaitAllTasksRunning(JobID job, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JobStatus status = status(job);
      if (status.isGloballyTerminalState()) {
        return false;
      }
      if (status == JobStatus.RUNNING && allTasksRunning(job)) {
        return true;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException(
        "The job " + job + " did not start all its tasks within " + timeout);
  }

  /**
   * How many times the job's tasks have been restarted (failed over) so far: the sum of their current
   * attempt numbers; 0 for a job whose tasks never failed or that the cluster no longer knows.
   */
  public int failovers(JobID job) {
    try {
      int restarts = 0;
      for (AccessExecutionVertex vertex :
          cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
        restarts += vertex.getCurrentExecutionAttempt().getAttemptNumber();
      }
      return restarts;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (ExecutionException unknownJob) {
      return 0;
    }
  }

  /**
   * The failure of the job's latest failed task attempt (what made it fail over), if the cluster still
   * knows it.
   */
  public java.util.Optional<Throwable> lastTaskFailure(JobID job) {
    return latestTaskFailure(job, false);
  }

  /**
   * The failure of the job's latest failed task attempt, its current attempts included (those that
   * failed the job), if the cluster still knows it: what a job's failure while it was being stopped
   * with a savepoint does not say.
   */
  public java.util.Optional<Throwable> taskFailure(JobID job) {
    return latestTaskFailure(job, true);
  }

  private java.util.Optional<Throwable> latestTaskFailure(JobID job, boolean current) {
    try {
      org.apache.flink.runtime.executiongraph.ErrorInfo latest = null;
      for (AccessExecutionVertex vertex :
          cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
        List<org.apache.flink.runtime.executiongraph.AccessExecution> attempts =
            new ArrayList<>(vertex.getExecutionHistory().getHistoricalExecutions());
        if (current) {
          attempts.add(vertex.getCurrentExecutionAttempt());
        }
        for (org.apache.flink.runtime.executiongraph.AccessExecution attempt : attempts) {
          var failure = attempt.getFailureInfo();
          if (failure.isPresent()
              && (latest == null || failure.get().getTimestamp() > latest.getTimestamp())) {
            latest = failure.get();
          }
        }
      }
      return java.util.Optional.ofNullable(latest)
          .map(
              info -> info.getException().deserializeError(EmbeddedCluster.class.getClassLoader()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    } catch (ExecutionException unknownJob) {
      return java.util.Optional.empty();
    }
  }

  private boolean allTasksRunning(JobID job) {
    AccessExecutionGraph graph = join(cluster.getExecutionGraph(job));
    boolean any = false;
    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
      any = true;
      ExecutionState state = vertex.getExecutionState();
      if (state != ExecutionState.RUNNING && state != ExecutionState.FINISHED) {
        return false;
      }
    }
    return any;
  }

  /**
   * Stops the job with a native savepoint in {@code dir}, without draining (draining would emit the
   * final watermark and fire timers early), retrying while tasks are still being restored or are not
   * ready for a checkpoint ("Checkpoint was declined (tasks not ready)"), unless the job has ended.
   *
   * @return the savepoint's path
   */
  public String stopWithSavepoint(JobID job, String dir, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        long remaining = Math.max(1, deadline - System.nanoTime());
        return cluster
            .stopWithSavepoint(job, dir, false, SavepointFormatType.NATIVE)
            .get(remaining, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw JobFailedException.stopTimedOut(job.toString(), timeout, e);
      } catch (ExecutionException e) {
        if (JobFailedException.failedDuringStopping(e)) {
          throw failedWhileStopping(job, e, deadline);
        }
        if (!JobFailedException.stopNotReadyYet(e)
            || System.nanoTime() > deadline
            || status(job).isGloballyTerminalState()) {
          throw JobFailedException.stopFailed(job.toString(), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * The job failed while it was being stopped, after its savepoint: its own failure, once it has ended
   * (a restart strategy may first restart it; at most {@link #FAILED_STOP_PATIENCE}), as the cause.
   */
  private RuntimeException failedWhileStopping(JobID job, ExecutionException stop, long deadline)
      throws InterruptedException {
    long wait = Math.min(Math.max(1, deadline - System.nanoTime()), FAILED_STOP_PATIENCE.toNanos());
    try {
      result(job).get(wait, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException stillRunning) {
      // its latest task failure is still what made the stop fail
    }
    return taskFailure(job)
        .<RuntimeException>map(
            failure ->
                JobFailedException.failedWhileStopping(job.toString(), failure, stop.getCause()))
        .orElseGet(() -> JobFailedException.stopFailed(job.toString(), stop));
  }

  @Override
  public void close() {
    try {
      cluster.closeAsync().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "The embedded Flink cluster did not shut down: " + e.getMessage(), e);
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          ExceptionUtils.stripExecutionException(e).getMessage(), e.getCause());
    }
  }
}
