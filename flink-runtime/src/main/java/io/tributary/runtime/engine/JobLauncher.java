package io.tributary.runtime.engine;

import io.tributary.runtime.eventlog.RowCountOperator;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobIo;
import io.tributary.runtime.translate.JobTranslator;
import io.tributary.runtime.translate.PlannedJob;
import io.tributary.runtime.translate.TranslatedJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * Starts and ends the jobs of an update through the {@link JobExecutor}, the same way in triggered
 * and continuous mode: a STREAMING job restores its job's newest state (after checking the saved
 * state still fits the definition) and is ended with a new savepoint, which commits its last epoch;
 * only then does the pointer move.
 */
final class JobLauncher {

  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

  /** How long the live accumulators of a running job may take to arrive before the figure is skipped. */
  private static final Duration ACCUMULATOR_PATIENCE = Duration.ofSeconds(5);

  private final JobExecutor executor;
  private final PipelineStorage storage;
  private final JobIo io;
  private final JobTranslator.FlowStages stages;
  private final RunSettings settings;

  /** Jobs launched and not yet seen ended by {@link #rowsWritten}. */
  private final Map<String, Launched> active = new ConcurrentHashMap<>();

  /** Per dataset, the rows its latest job has written, as last seen. */
  private final Map<String, Long> rows = new ConcurrentHashMap<>();

  /** The running update's record, which names each job as it is submitted. */
  private volatile UpdateRecord record;

  JobLauncher(
      JobExecutor executor,
      PipelineStorage storage,
      JobIo io,
      JobTranslator.FlowStages stages,
      RunSettings settings) {
    this.executor = executor;
    this.storage = storage;
    this.io = io;
    this.stages = stages;
    this.settings = settings;
  }

  /**
   * A submitted job of the update, with the fingerprint of the state it will save and the plan it was
   * translated from (whose expectations a failure on a row names).
   */
  record Launched(
      JobContext context,
      SubmittedJob job,
      StateFingerprint fingerprint,
      io.tributary.dsl.plan.LogicalPlan plan) {

    CompletableFuture<JobOutcome> result() {
      return job.result();
    }

    CompletableFuture<Void> caughtUp() {
      return job.caughtUp();
    }
  }

  /**
   * How many jobs of the update may run at once: the executor's slots over the slots one job takes
   * (its parallelism); one if the executor does not say.
   */
  int sideBySide() {
    return Math.max(1, executor.slots().orElse(settings.parallelism()) / settings.parallelism());
  }

  /** The executor the jobs run on. */
  JobExecutor executor() {
    return executor;
  }

  /** The settings every job is launched with. */
  RunSettings settings() {
    return settings;
  }

  /** Names each job submitted from now on in {@code record}. */
  void recordJobsIn(UpdateRecord record) {
    this.record = record;
  }

  /** Translates {@code context}'s job of {@code plan} and submits it. */
  Launched launch(UpdatePlan plan, JobContext context) {
    PlannedJob job = context.job();
    Configuration conf =
        JobTranslator.configuration(job, settings.parallelism(), settings.checkpointInterval());
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
      conf.set(
          CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
    RocksDbDefaults.applyTo(conf);
    conf.addAll(Configuration.fromMap(settings.flinkOptions()));
    if (IncrementalRefresh.incremental(plan, job)) {
      IncrementalRefresh.startOverIfNeeded(
          storage, plan, job, settings.flinkOptions()); // before translation opens the keyed table
    } else {
      IncrementalRefresh.forgetIfRecomputed(storage, plan, job);
    }
    TranslatedJob translated =
        new JobTranslator(plan.resolved(), io, stages).translate(context, conf);
    StateFingerprint fingerprint =
        StateFingerprint.of(plan.resolved(), job, settings.flinkOptions());
    Optional<String> restore = Optional.empty();
    if (streaming) {
      checkStateOwners(job);
      restore = storage.stateToRestore(job.name());
      if (restore.isPresent()) {
        checkStateCompatible(plan, job, fingerprint);
      }
      // Every snapshot this run takes holds state of this plan: said now, not only at the stop, so
      // that state a run never stopped itself leaves (its client killed, the job stopped with a
      // savepoint by the next update) is known as this plan's: an incremental table continues from
      // it instead of recomputing, and a changed definition is refused before Flink tries it.
      storage.setStateFingerprint(job.name(), fingerprint.text());
    }
    // the id is chosen here, so the record names the job before the cluster runs it
    JobID jobId = new JobID();
    translated.graph().setJobId(jobId);
    UpdateRecord running = record;
    if (running != null) {
      running.jobSubmitting(job.name(), job.mode().name(), jobId.toHexString(), executor.cluster());
    }
    SubmittedJob submitted =
        executor.submit(
            new JobSubmission(
                job.name(),
                translated.graph(),
                restore,
                context.runId(),
                translated.caughtUpIds()));
    if (running != null) {
      running.jobSubmitted(jobId.toHexString(), submitted.result());
    }
    Launched launched = new Launched(context, submitted, fingerprint, plan.resolved().plan());
    active.put(submitted.id(), launched);
    return launched;
  }

  /**
   * Per dataset, the rows its latest job has written in this update: live from a running job's
   * accumulators, final from an ended job's result. Best effort: a job the cluster cannot report on
   * yet keeps its last figure.
   */
  Map<String, Long> rowsWritten() {
    for (Launched launched : List.copyOf(active.values())) {
      Map<String, Object> accumulators;
      if (launched.result().isDone()) {
        accumulators =
            launched.result().isCompletedExceptionally()
                ? Map.of()
                : launched.result().join().accumulators();
        active.remove(launched.job().id());
      } else {
        accumulators = live(launched.job());
      }
      accumulators.forEach(
          (name, value) -> {
            if (value instanceof Long count) {
              RowCountOperator.datasetOf(name).ifPresent(d -> rows.put(d, count));
            }
          });
    }
    return Map.copyOf(rows);
  }

  private static Map<String, Object> live(SubmittedJob job) {
    try {
      return job.accumulators().get(ACCUMULATOR_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } catch (ExecutionException | TimeoutException unavailable) {
      return Map.of();
    }
  }

  /** Waits for a job to end on its own (a BATCH job) and fails if it did not succeed. */
  void awaitSuccess(Launched launched) throws InterruptedException {
    checkSucceeded(launched, await(launched.result()));
  }

  /** Stops a running STREAMING job with a savepoint and points its next run at it. */
  void stopKeepingState(Launched launched) throws InterruptedException {
    PlannedJob job = launched.context().job();
    String savepoint;
    try {
      savepoint = launched.job().stopWithSavepoint(storage.savepointDir(job.name()), STOP_TIMEOUT);
    } catch (RuntimeException e) {
      // A job that failed after its savepoint (a Delta commit on a full disk) has its task's
      // failure as the stop's cause: report that, not Flink's "the corresponding job failed during
      // stopping"
      if (e instanceof JobFailedException stopped && stopped.isFailureWhileStopping()) {
        checkSucceeded(launched, JobOutcome.failed(stopped));
      }
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
      checkSucceeded(launched, launched.result().get(5, java.util.concurrent.TimeUnit.SECONDS));
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // still running, or its result cannot be had: the savepoint's failure is all there is to say
    }
  }

  /** Cancels a job that is still running after its update gave up on it, so no second writer runs on. */
  void cancelIfRunning(Launched launched) {
    launched.job().cancel();
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
        throw StateIncompatibleException.ownedByAnotherJob(
            dataset, owner.get(), job.name(), job.datasets());
      }
    }
    job.datasets().forEach(dataset -> storage.setStateOwner(dataset, job.name()));
  }

  private void checkStateCompatible(UpdatePlan plan, PlannedJob job, StateFingerprint now) {
    Optional<String> difference =
        storage
            .stateFingerprint(job.name())
            .flatMap(
                saved ->
                    now.differenceFrom(
                        StateFingerprint.saved(saved, plan.resolved(), settings.flinkOptions())));
    if (difference.isPresent()) {
      throw StateIncompatibleException.savedByAnotherDefinition(job.datasets(), difference.get());
    }
  }

  private static void checkSucceeded(Launched launched, JobOutcome outcome) {
    PlannedJob job = launched.context().job();
    if (outcome.failure().isPresent()) {
      Throwable cause = outcome.failure().get();
      // a row that made the query or an expectation throw, as its source named it
      Optional<String> row = RowFailures.describe(cause, launched.context(), launched.plan());
      if (row.isPresent()) {
        throw JobFailedException.withWholeMessage(row.get(), cause);
      }
      String message = JobErrors.rootMessage(cause);
      if (message.contains("Cannot map checkpoint/savepoint state")
          || message.contains("Failed to rollback")
          || message.contains("of the restored state is lower than the configured parallelism")) {
        throw StateIncompatibleException.doesNotFit(job.datasets(), message);
      }
      throw JobFailedException.failed(job.name(), cause);
    }
  }

  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw JobFailedException.waitFailed(e);
    }
  }
}
