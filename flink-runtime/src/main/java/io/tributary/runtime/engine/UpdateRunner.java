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
import io.tributary.runtime.eventlog.UpdateEventLog;
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
 * downstream jobs are SKIPPED; independent jobs still run. Every step is logged in the pipeline's
 * event log ({@link UpdateEventLog}).
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

  /** Runs an update of {@code plan}; {@code fullRefresh} first clears every table, its state and positions. */
  public UpdateResult run(ResolvedPlan plan, boolean fullRefresh, UpdateListener listener) {
    return run(plan, fullRefresh, listener, new CompletableFuture<>());
  }

  /**
   * As {@link #run(ResolvedPlan, boolean, UpdateListener)}, stopping gracefully once {@code stopRequest}
   * completes: the running streaming job is stopped with a savepoint (its epoch commits, its state and
   * positions are kept), later jobs do not start, and the update ends STOPPED.
   */
  public UpdateResult run(ResolvedPlan plan, boolean fullRefresh, UpdateListener listener,
      CompletableFuture<Void> stopRequest) {
    String updateId = UUID.randomUUID().toString();
    long number = UpdateEventLog.updateNumber(storage, nextUpdateNumber());
    UpdateEventLog events = UpdateEventLog.begin(storage, plan.plan(), updateId, number, fullRefresh);
    stopRequest.thenRun(() -> events.userAction("STOP"));
    events.updateProgress(UpdateState.RUNNING, Optional.empty());
    try {
      UpdateResult result = runUpdate(plan, fullRefresh, events.listener(listener), stopRequest, updateId, number);
      events.end(result);
      return result;
    } catch (RuntimeException e) {
      events.failed(e);
      throw e;
    }
  }

  private UpdateResult runUpdate(ResolvedPlan plan, boolean fullRefresh, UpdateListener listener,
      CompletableFuture<Void> stopRequest, String updateId, long number) {
    Instant start = Instant.now();
    List<PlannedJob> jobs = JobPlanner.plan(plan.plan());
    List<DatasetSpec> persisted = plan.plan().datasets().stream().filter(d -> d.kind().isPersisted()).toList();
    if (fullRefresh) {
      persisted.forEach(d -> storage.resetDataset(d.name()));
      jobs.forEach(j -> storage.clearState(j.name()));
    }
    Map<String, String> generations = new LinkedHashMap<>();
    persisted.forEach(d -> generations.put(d.name(), storage.generation(d.name())));
    jobs.forEach(j -> j.datasets().forEach(d -> listener.onFlow(d, FlowState.QUEUED, "")));

    JobTranslator translator = new JobTranslator(plan, io, stages);
    List<FlowResult> results = new ArrayList<>();
    Set<String> failedJobs = new HashSet<>();
    boolean stopped = false;
    Optional<String> firstError = Optional.empty();
    for (PlannedJob job : jobs) {
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
        boolean caughtUp = runJob(translator, context, listener, stopRequest);
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

  /** Runs one job; returns false if a stop request ended a streaming job before it caught up. */
  private boolean runJob(JobTranslator translator, JobContext context, UpdateListener listener,
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
    StreamGraph graph = translated.graph();
    boolean streaming = job.mode() == PlannedJob.Mode.STREAMING;
    if (streaming) {
      storage.currentSavepoint(job.name()).ifPresent(savepoint ->
          graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false)));
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
    String savepoint = cluster.stopWithSavepoint(jobId, storage.savepointDir(job.name()), STOP_TIMEOUT);
    checkSucceeded(job, await(result));
    storage.setCurrentSavepoint(job.name(), savepoint);
    return caughtUpAll;
  }

  private static void checkSucceeded(PlannedJob job, JobResult result) {
    if (!result.isSuccess()) {
      Throwable cause = result.getSerializedThrowable()
          .map(t -> t.deserializeError(UpdateRunner.class.getClassLoader()))
          .orElse(new IllegalStateException("status " + result.getJobStatus().map(Object::toString).orElse("unknown")));
      throw new JobFailedException("Job " + job.name() + " failed: " + JobErrors.rootMessage(cause), cause);
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
