package io.tributary.runtime.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobIo;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.JobTranslator;
import io.tributary.runtime.translate.PlannedJob;
import io.tributary.runtime.translate.TranslatedJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs one triggered update: the plan's jobs in dependency order. A STREAMING job restores the
 * savepoint its previous update left, runs until every source has caught up with what was there at
 * the update's start, and is stopped with a savepoint, which commits its last epoch; the storage's
 * pointer then moves to that savepoint. A BATCH job recomputes a materialized table. A failed job's
 * downstream jobs are SKIPPED; independent jobs still run.
 */
public final class UpdateRunner {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final EmbeddedCluster cluster;
  private final PipelineStorage storage;
  private final JobIo io;
  private final JobTranslator.FlowStages stages;
  private final CaughtUpSignals signals;
  private final RunSettings settings;

  public UpdateRunner(EmbeddedCluster cluster, PipelineStorage storage, JobIo io, JobTranslator.FlowStages stages,
      CaughtUpSignals signals, RunSettings settings) {
    this.cluster = cluster;
    this.storage = storage;
    this.io = io;
    this.stages = stages;
    this.signals = signals;
    this.settings = settings;
  }

  /** Runs an update of {@code plan} refreshing the tables {@code selection} names. */
  public UpdateResult run(ResolvedPlan plan, RefreshSelection selection, UpdateListener listener) {
    return run(plan, selection, listener, new CompletableFuture<>());
  }

  /**
   * As {@link #run(ResolvedPlan, RefreshSelection, UpdateListener)}, stopping gracefully once {@code stopRequest}
   * completes: the running streaming job is stopped with a savepoint (its epoch commits, its state and
   * positions are kept), later jobs do not start, and the update ends STOPPED.
   */
  public UpdateResult run(ResolvedPlan plan, RefreshSelection selection, UpdateListener listener,
      CompletableFuture<Void> stopRequest) {
    Instant start = Instant.now();
    String updateId = UUID.randomUUID().toString();
    long number = nextUpdateNumber();
    List<PlannedJob> jobs = JobPlanner.plan(plan.plan());
    RefreshSelection.Resolved selected = selection.resolve(plan.plan(), jobs);
    for (PlannedJob job : jobs) {
      if (selected.resetJobs().contains(job.name())) {
        job.datasets().forEach(storage::resetDataset);
        storage.clearState(job.name());
      }
    }
    List<DatasetSpec> persisted = plan.plan().datasets().stream().filter(d -> d.kind().isPersisted()).toList();
    Map<String, String> generations = new LinkedHashMap<>();
    persisted.forEach(d -> generations.put(d.name(), storage.generation(d.name())));
    jobs.forEach(j -> j.datasets().forEach(d ->
        listener.onFlow(d, FlowState.QUEUED, selected.notes().getOrDefault(d, ""))));

    JobTranslator translator = new JobTranslator(plan, io, stages);
    List<FlowResult> results = new ArrayList<>();
    Set<String> failedJobs = new HashSet<>();
    boolean stopped = false;
    Optional<String> firstError = Optional.empty();
    for (PlannedJob job : jobs) {
      if (!selected.runJobs().contains(job.name())) {
        for (String dataset : job.datasets()) {
          listener.onFlow(dataset, FlowState.EXCLUDED, "not selected for this update; its data is kept");
          results.add(new FlowResult(dataset, job.name(), FlowState.EXCLUDED, Optional.empty()));
        }
        continue;
      }
      if (stopRequest.isDone()) {
        stopped = true;
        for (String dataset : job.datasets()) {
          listener.onFlow(dataset, FlowState.STOPPED, "the update was stopped before this flow started");
          results.add(new FlowResult(dataset, job.name(), FlowState.STOPPED, Optional.empty()));
        }
        continue;
      }
      Optional<String> failedUpstream = job.upstreamJobs().stream().filter(failedJobs::contains).findFirst();
      if (failedUpstream.isPresent()) {
        failedJobs.add(job.name());
        for (String dataset : job.datasets()) {
          String why = "an upstream flow failed (job " + failedUpstream.get() + ")";
          listener.onFlow(dataset, FlowState.SKIPPED, why);
          results.add(new FlowResult(dataset, job.name(), FlowState.SKIPPED, Optional.of(why)));
        }
        continue;
      }
      JobContext context = new JobContext(plan.plan().pipeline(), job, updateId, number, generations);
      try {
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
        boolean caughtUp = runWithRetries(plan, translator, context, listener, stopRequest);
        FlowState end = caughtUp ? FlowState.COMPLETED : FlowState.STOPPED;
        stopped |= !caughtUp;
        for (String dataset : job.datasets()) {
          listener.onFlow(dataset, end, caughtUp ? "" : "stopped with a savepoint before catching up");
          results.add(new FlowResult(dataset, job.name(), end, Optional.empty()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("update " + updateId + " was interrupted", e);
      } catch (RuntimeException e) {
        String error = JobErrors.rootMessage(e);
        firstError = firstError.or(() -> Optional.of(error));
        failedJobs.add(job.name());
        for (String dataset : job.datasets()) {
          listener.onFlow(dataset, FlowState.FAILED, error);
          results.add(new FlowResult(dataset, job.name(), FlowState.FAILED, Optional.of(error)));
        }
      }
    }
    UpdateState state = !failedJobs.isEmpty() ? UpdateState.FAILED
        : stopped ? UpdateState.STOPPED : UpdateState.COMPLETED;
    UpdateResult result = new UpdateResult(plan.plan().pipeline(), updateId, number, state, results, firstError,
        Duration.between(start, Instant.now()));
    record(result, start);
    return result;
  }

  /**
   * Runs one job, and in production mode runs it again after a failure, up to
   * {@link RunSettings#maxFlowRetries()} times with a doubling backoff; each failed attempt is a
   * FAILED flow event. Development mode fails fast. A failure the user must fix (an expect_or_fail
   * violation, a definition or state-compatibility error) is never retried. A new attempt restores
   * the savepoint the previous update left; epochs the failed attempt committed are recognised by
   * their transaction ids and not committed twice.
   */
  private boolean runWithRetries(ResolvedPlan plan, JobTranslator translator, JobContext context,
      UpdateListener listener, CompletableFuture<Void> stopRequest) throws InterruptedException {
    int retries = settings.development() ? 0 : settings.maxFlowRetries();
    Duration backoff = settings.retryBackoff();
    for (int attempt = 1; ; attempt++) {
      try {
        return runJob(plan, translator, context, listener, stopRequest);
      } catch (RuntimeException e) {
        if (attempt > retries || !JobErrors.isRetryable(e) || stopRequest.isDone()) {
          throw e;
        }
        String detail = "attempt " + attempt + " of " + (retries + 1) + " failed: " + JobErrors.rootMessage(e)
            + "; retrying in " + backoff.toMillis() + " ms";
        context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.FAILED, detail));
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2);
        String retry = "retry " + attempt + " of " + retries;
        context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, retry));
      }
    }
  }

  /** Runs one job; returns false if a stop request ended a streaming job before it caught up. */
  private boolean runJob(ResolvedPlan plan, JobTranslator translator, JobContext context, UpdateListener listener,
      CompletableFuture<Void> stopRequest) throws InterruptedException {
    PlannedJob job = context.job();
    Configuration conf = JobTranslator.configuration(job, settings.parallelism(), settings.checkpointInterval());
    if (settings.development()) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    } else {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    }
    conf.addAll(Configuration.fromMap(settings.flinkOptions()));
    TranslatedJob translated = translator.translate(context, conf);
    StateFingerprint fingerprint = StateFingerprint.of(plan, job);
    StreamGraph graph = translated.graph();
    boolean streaming = job.mode() == PlannedJob.Mode.STREAMING;
    if (streaming) {
      Optional<String> savepoint = storage.currentSavepoint(job.name());
      if (savepoint.isPresent()) {
        checkStateCompatible(context, fingerprint);
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint.get(), false));
      }
    }
    List<CompletableFuture<Void>> caughtUp = translated.caughtUpIds().stream()
        .map(id -> signals.await(context.updateId(), id)).toList();
    JobID jobId = cluster.submit(graph);
    CompletableFuture<JobResult> result = cluster.result(jobId);
    job.datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, ""));
    if (!streaming) {
      checkSucceeded(job, await(result));
      return true;
    }
    CompletableFuture<Void> allCaughtUp = CompletableFuture.allOf(caughtUp.toArray(CompletableFuture[]::new));
    await(CompletableFuture.anyOf(allCaughtUp, result, stopRequest).handle((ignored, error) -> null));
    if (result.isDone()) {
      checkSucceeded(job, await(result));
      throw new IllegalStateException("job " + job.name() + " finished before its sources caught up");
    }
    if (!cluster.awaitAllTasksRunning(jobId, START_TIMEOUT)) {
      checkSucceeded(job, await(result));
    }
    boolean caughtUpAll = allCaughtUp.isDone();
    String newSavepoint = cluster.stopWithSavepoint(jobId, storage.savepointDir(job.name()), STOP_TIMEOUT);
    checkSucceeded(job, await(result));
    storage.setStateFingerprint(job.name(), fingerprint.text());
    storage.setCurrentSavepoint(job.name(), newSavepoint);
    return caughtUpAll;
  }

  private void checkStateCompatible(JobContext context, StateFingerprint now) {
    PlannedJob job = context.job();
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
          .map(t -> t.deserializeError(UpdateRunner.class.getClassLoader()))
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

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new JobFailedException(JobErrors.rootMessage(e), e.getCause());
    }
  }

  private long nextUpdateNumber() {
    Path dir = new Path(storage.updatesDir());
    try {
      FileSystem fs = dir.getFileSystem(storage.hadoopConf());
      long max = 0;
      if (fs.exists(dir)) {
        for (FileStatus status : fs.listStatus(dir)) {
          String name = status.getPath().getName();
          if (name.matches("\\d+\\.json")) {
            max = Math.max(max, Long.parseLong(name.substring(0, name.length() - 5)));
          }
        }
      }
      return max + 1;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the updates under " + dir + ": " + e.getMessage(), e);
    }
  }

  private void record(UpdateResult result, Instant start) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("pipeline", result.pipeline());
    record.put("update_id", result.updateId());
    record.put("number", result.number());
    record.put("state", result.state().name());
    record.put("started", start.toString());
    record.put("duration_ms", result.duration().toMillis());
    result.error().ifPresent(e -> record.put("error", e));
    List<Map<String, Object>> flows = new ArrayList<>();
    for (FlowResult flow : result.flows()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dataset", flow.dataset());
      entry.put("job", flow.job());
      entry.put("state", flow.state().name());
      flow.error().ifPresent(e -> entry.put("error", e));
      flows.add(entry);
    }
    record.put("flows", flows);
    try {
      storage.writeAtomically(new Path(storage.updatesDir(), String.format("%06d.json", result.number())),
          JSON.writeValueAsString(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
