package io.tributary.runtime.engine;

import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.source.CaughtUpRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.OptionalFailure;
import org.apache.flink.util.SerializedValue;

/**
 * Runs jobs on the in-process {@link EmbeddedCluster}. Sources report caught up through the static
 * {@link CaughtUpRegistry}, which works only because the enumerators run in this JVM with this class
 * loader: a detail of this executor that nothing above the {@link JobExecutor} seam relies on.
 *
 * <p>A job waited on for caught up that has failed over is watched ({@link FailoverWatch}): if its
 * sources then neither catch up nor write a row for the failover timeout, its result fails and the job
 * is cancelled, so an update never waits forever on a restarted job that cannot get its input back.
 */
public final class EmbeddedExecutor implements JobExecutor {

  /** How long a job may take until all its tasks run before it can be stopped with a savepoint. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final EmbeddedCluster cluster;

  /** Whether {@link #close()} closes the cluster: only one this executor started. */
  private final boolean owned;

  /** How long a failed-over job's sources may go without catching up or writing a row. */
  private final Duration failoverTimeout;

  /** Runs jobs on {@code cluster}, which its caller keeps and closes, with the default failover timeout. */
  public EmbeddedExecutor(EmbeddedCluster cluster) {
    this(cluster, PipelineSettings.DEFAULT.caughtUpTimeout());
  }

  /**
   * Runs jobs on {@code cluster}, which its caller keeps and closes.
   *
   * @param failoverTimeout how long a job that has failed over may go without its sources catching up or
   *     a row written before it is failed ({@value PipelineSettings#CAUGHT_UP_TIMEOUT})
   */
  public EmbeddedExecutor(EmbeddedCluster cluster, Duration failoverTimeout) {
    this(cluster, false, failoverTimeout);
  }

  private EmbeddedExecutor(EmbeddedCluster cluster, boolean owned, Duration failoverTimeout) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.owned = owned;
    this.failoverTimeout = Objects.requireNonNull(failoverTimeout, "failoverTimeout");
  }

  /** Starts a cluster of {@code slots} slots of its own, closed with this executor. */
  public static EmbeddedExecutor start(int slots, Configuration flinkConf) {
    return start(slots, flinkConf, PipelineSettings.DEFAULT.caughtUpTimeout());
  }

  /** Starts a cluster of {@code slots} slots of its own, closed with this executor. */
  public static EmbeddedExecutor start(
      int slots, Configuration flinkConf, Duration failoverTimeout) {
    return new EmbeddedExecutor(EmbeddedCluster.start(slots, flinkConf), true, failoverTimeout);
  }

  /**
   * This executor's cluster with {@code failoverTimeout} for the jobs submitted from now on (a cluster started
   * before the pipeline's settings were read); the cluster stays owned as it was.
   */
  public EmbeddedExecutor withFailoverTimeout(Duration failoverTimeout) {
    return new EmbeddedExecutor(cluster, owned, failoverTimeout);
  }

  @Override
  public void close() {
    if (owned) {
      cluster.close();
    }
  }

  /**
   * The slots of a cluster this executor started for one update; none said of a cluster its caller
   * shares (a test class's, the test driver's), whose other jobs may hold slots: one job at a time there.
   */
  @Override
  public OptionalInt slots() {
    return owned ? OptionalInt.of(cluster.slots()) : OptionalInt.empty();
  }

  @Override
  public SubmittedJob submit(JobSubmission submission) {
    StreamGraph graph = submission.graph();
    submission
        .restoreFrom()
        .ifPresent(
            path ->
                graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(path, false)));
    List<CompletableFuture<Void>> sources =
        submission.caughtUpSources().stream()
            .map(source -> CaughtUpRegistry.await(submission.runId(), source))
            .toList();
    CompletableFuture<Void> caughtUp =
        CompletableFuture.allOf(sources.toArray(CompletableFuture[]::new));
    JobID id;
    try {
      id = cluster.submit(graph);
    } catch (RuntimeException e) {
      CaughtUpRegistry.release(submission.runId(), submission.caughtUpSources());
      throw e;
    }
    CompletableFuture<JobOutcome> result = cluster.result(id).thenApply(EmbeddedExecutor::outcome);
    // only this job's sources: a job of the same update may run beside it (TriggeredUpdate)
    result.whenComplete(
        (outcome, error) ->
            CaughtUpRegistry.release(submission.runId(), submission.caughtUpSources()));
    if (!submission.caughtUpSources().isEmpty()) {
      FailoverWatch.watch(submission, id, cluster, failoverTimeout, caughtUp, result);
    }
    return new Embedded(id, result, caughtUp);
  }

  private static JobOutcome outcome(JobResult result) {
    JobStatus status = result.getJobStatus().orElse(JobStatus.FAILED);
    if (!result.isSuccess()) {
      Throwable cause =
          result
              .getSerializedThrowable()
              .map(t -> t.deserializeError(EmbeddedExecutor.class.getClassLoader()))
              .orElse(new IllegalStateException("status " + status));
      return new JobOutcome(status, Map.of(), java.util.Optional.of(cause));
    }
    Map<String, Object> values = new HashMap<>();
    for (Map.Entry<String, SerializedValue<OptionalFailure<Object>>> entry :
        result.getAccumulatorResults().entrySet()) {
      try {
        OptionalFailure<Object> value =
            entry.getValue().deserializeValue(EmbeddedExecutor.class.getClassLoader());
        if (!value.isFailure() && value.getUnchecked() != null) {
          values.put(entry.getKey(), value.getUnchecked());
        }
      } catch (IOException | ClassNotFoundException unreadable) {
        // an accumulator of a class this side cannot load: not one the engine reads
      }
    }
    return new JobOutcome(status, values, java.util.Optional.empty());
  }

  private final class Embedded extends SubmittedJobBase {
    Embedded(JobID id, CompletableFuture<JobOutcome> result, CompletableFuture<Void> caughtUp) {
      super(id, result, caughtUp);
    }

    @Override
    public CompletableFuture<JobStatus> status() {
      return CompletableFuture.completedFuture(cluster.status(jobId()));
    }

    @Override
    public CompletableFuture<Map<String, Object>> accumulators() {
      return CompletableFuture.completedFuture(Map.copyOf(cluster.numericAccumulators(jobId())));
    }

    @Override
    public String stopWithSavepoint(String dir, Duration timeout) throws InterruptedException {
      if (!cluster.awaitAllTasksRunning(jobId(), START_TIMEOUT)) {
        throw JobFailedException.endedBeforeStop(jobId().toString());
      }
      return cluster.stopWithSavepoint(jobId(), dir, timeout);
    }

    @Override
    public void cancel() {
      if (!result().isDone() && !cluster.status(jobId()).isGloballyTerminalState()) {
        cluster.cancel(jobId());
      }
    }
  }
}
