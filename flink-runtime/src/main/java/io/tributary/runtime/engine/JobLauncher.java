package io.tributary.runtime.engine;

import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobTranslator;
import io.tributary.runtime.translate.PlannedJob;
import io.tributary.runtime.translate.TranslatedJob;
import java.io.IOException;
import java.time.Duration;
import io.tributary.runtime.eventlog.RowCountOperator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.OptionalFailure;
import org.apache.flink.util.SerializedValue;

/**
 * Starts and ends the jobs of an update on the embedded cluster, the same way in triggered and
 * continuous mode: a STREAMING job restores its job's current savepoint (after checking the saved
 * state still fits the definition) and is ended with a new savepoint, which commits its last epoch;
 * only then does the pointer move.
 */
final class JobLauncher {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

  private final EmbeddedCluster cluster;
  private final PipelineStorage storage;
  private final CaughtUpSignals signals;
  private final RunSettings settings;
  /** Jobs launched and not yet seen ended by {@link #rowsWritten}. */
  private final Map<JobID, Launched> active = new ConcurrentHashMap<>();
  /** Per dataset, the rows its latest job has written, as last seen. */
  private final Map<String, Long> rows = new ConcurrentHashMap<>();

  JobLauncher(EmbeddedCluster cluster, PipelineStorage storage, CaughtUpSignals signals, RunSettings settings) {
    this.cluster = cluster;
    this.storage = storage;
    this.signals = signals;
    this.settings = settings;
  }

  /** A submitted job: its result, and (triggered STREAMING jobs) when all its sources have caught up. */
  record Launched(JobContext context, JobID id, CompletableFuture<JobResult> result,
      CompletableFuture<Void> caughtUp, StateFingerprint fingerprint) {}

  Launched launch(ResolvedPlan plan, JobTranslator translator, JobContext context) {
    PlannedJob job = context.job();
    Configuration conf = JobTranslator.configuration(job, settings.parallelism(), settings.checkpointInterval());
    if (settings.development()) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    } else {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    }
    boolean streaming = job.mode() == PlannedJob.Mode.STREAMING;
    if (streaming) {
      // checkpoints survive a failed or killed run, so the next run restores the newest one
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, storage.checkpointDir(job.name()));
      conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
    conf.addAll(Configuration.fromMap(settings.flinkOptions()));
    TranslatedJob translated = translator.translate(context, conf);
    StateFingerprint fingerprint = StateFingerprint.of(plan, job);
    StreamGraph graph = translated.graph();
    if (streaming) {
      checkStateOwners(job);
      Optional<String> restore = storage.stateToRestore(job.name());
      if (restore.isPresent()) {
        checkStateCompatible(job, fingerprint);
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restore.get(), false));
      }
    }
    List<CompletableFuture<Void>> caughtUp = translated.caughtUpIds().stream()
        .map(id -> signals.await(context.updateId(), id)).toList();
    JobID id = cluster.submit(graph);
    Launched launched = new Launched(context, id, cluster.result(id),
        CompletableFuture.allOf(caughtUp.toArray(CompletableFuture[]::new)), fingerprint);
    active.put(id, launched);
    return launched;
  }

  /**
   * Per dataset, the rows its latest job has written in this update: live from a running job's
   * accumulators, final from an ended job's result. Best effort: a job the cluster cannot report on
   * yet keeps its last figure.
   */
  Map<String, Long> rowsWritten() {
    for (Launched launched : List.copyOf(active.values())) {
      Map<String, Long> accumulators;
      if (launched.result().isDone()) {
        accumulators = launched.result().isCompletedExceptionally()
            ? Map.of() : finalAccumulators(launched.result().join());
        active.remove(launched.id());
      } else {
        accumulators = cluster.numericAccumulators(launched.id());
      }
      accumulators.forEach((name, value) -> RowCountOperator.datasetOf(name).ifPresent(d -> rows.put(d, value)));
    }
    return Map.copyOf(rows);
  }

  private static Map<String, Long> finalAccumulators(JobResult result) {
    Map<String, Long> values = new HashMap<>();
    for (Map.Entry<String, SerializedValue<OptionalFailure<Object>>> entry
        : result.getAccumulatorResults().entrySet()) {
      try {
        OptionalFailure<Object> value = entry.getValue().deserializeValue(JobLauncher.class.getClassLoader());
        if (!value.isFailure() && value.getUnchecked() instanceof Long count) {
          values.put(entry.getKey(), count);
        }
      } catch (IOException | ClassNotFoundException unreadable) {
        // not a row count
      }
    }
    return values;
  }

  /** Waits for a job to end on its own (a BATCH job) and fails if it did not succeed. */
  void awaitSuccess(Launched launched) throws InterruptedException {
    checkSucceeded(launched.context().job(), await(launched.result()));
  }

  /** Stops a running STREAMING job with a savepoint and points its next run at it. */
  void stopKeepingState(Launched launched) throws InterruptedException {
    PlannedJob job = launched.context().job();
    if (!cluster.awaitAllTasksRunning(launched.id(), START_TIMEOUT)) {
      awaitSuccess(launched);
    }
    String savepoint;
    try {
      savepoint = cluster.stopWithSavepoint(launched.id(), storage.savepointDir(job.name()), STOP_TIMEOUT);
    } catch (JobFailedException e) {
      // A job that failed while it was being stopped fails the savepoint with Flink's "Checkpoint
      // Coordinator is suspending": report the job's own failure (a bad row, say), not that.
      checkSucceededIfEnded(launched);
      throw e;
    }
    awaitSuccess(launched);
    storage.setStateFingerprint(job.name(), launched.fingerprint().text());
    storage.setCurrentSavepoint(job.name(), savepoint);
    storage.clearRetainedCheckpoints(job.name());
    storage.clearOlderSavepoints(job.name(), savepoint);
  }

  /** Throws the failure of {@code launched} if it ends, failed, within a few seconds. */
  private static void checkSucceededIfEnded(Launched launched) throws InterruptedException {
    try {
      checkSucceeded(launched.context().job(), launched.result().get(5, java.util.concurrent.TimeUnit.SECONDS));
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // still running, or its result cannot be had: the savepoint's failure is all there is to say
    }
  }

  /** Cancels a job that is still running after its update gave up on it, so no second writer runs on. */
  void cancelIfRunning(Launched launched) {
    if (!launched.result().isDone() && !cluster.status(launched.id()).isGloballyTerminalState()) {
      cluster.cancel(launched.id());
    }
    signals.release(launched.context().updateId());
  }

  /**
   * A table's positions and keys live in the state of the job that wrote it; if the pipeline now
   * groups it in a job of another name (tables regrouped), that state cannot follow, and starting
   * from nothing would read its input again.
   */
  private void checkStateOwners(PlannedJob job) {
    for (String dataset : job.datasets()) {
      Optional<String> owner = storage.stateOwner(dataset);
      if (owner.isPresent() && !owner.get().equals(job.name())) {
        throw new StateIncompatibleException("The state of table '" + dataset + "' belongs to streaming job '"
            + owner.get() + "', but the pipeline now runs it in job '" + job.name() + "' (its streaming tables"
            + " are grouped differently), and state cannot move between jobs. Run a full refresh of these tables:"
            + " tributary start PIPELINE.yml --full-refresh-tables " + String.join(",", job.datasets()) + ".");
      }
    }
    job.datasets().forEach(dataset -> storage.setStateOwner(dataset, job.name()));
  }

  private void checkStateCompatible(PlannedJob job, StateFingerprint now) {
    Optional<String> difference = storage.stateFingerprint(job.name())
        .flatMap(saved -> now.differenceFrom(StateFingerprint.parse(saved)));
    if (difference.isPresent()) {
      throw new StateIncompatibleException("The state of " + String.join(", ", job.datasets()) + " was saved by a"
          + " different definition (" + difference.get() + "), so the next update cannot continue from it."
          + " Run a full refresh of these tables: tributary start PIPELINE.yml --full-refresh-tables "
          + String.join(",", job.datasets()) + ".");
    }
  }

  private static void checkSucceeded(PlannedJob job, JobResult result) {
    if (!result.isSuccess()) {
      Throwable cause = result.getSerializedThrowable()
          .map(t -> t.deserializeError(JobLauncher.class.getClassLoader()))
          .orElse(new IllegalStateException("status " + result.getJobStatus().map(Object::toString).orElse("unknown")));
      String message = JobErrors.rootMessage(cause);
      if (message.contains("Cannot map checkpoint/savepoint state") || message.contains("Failed to rollback")) {
        throw new StateIncompatibleException("The state of " + String.join(", ", job.datasets()) + " does not"
            + " fit their current definition (" + message + "). Run a full refresh of these tables: tributary"
            + " start PIPELINE.yml --full-refresh-tables " + String.join(",", job.datasets()) + ".");
      }
      throw new JobFailedException("Job " + job.name() + " failed: " + message, cause);
    }
  }

  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new JobFailedException(JobErrors.rootMessage(e), e.getCause());
    }
  }
}
