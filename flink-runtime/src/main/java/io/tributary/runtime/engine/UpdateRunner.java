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
import io.tributary.runtime.delta.DeltaTableReader;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.source.SchemaEvolvedException;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobIo;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.JobTranslator;
import io.tributary.runtime.translate.PlannedJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs one triggered update: the plan's jobs in dependency order. A STREAMING job restores the
 * savepoint its previous update left, runs until every source has caught up with what was there at
 * the update's start, and is stopped with a savepoint, which commits its last epoch; the storage's
 * pointer then moves to that savepoint. A BATCH job recomputes a materialized table. A failed job's
 * downstream jobs are SKIPPED; independent jobs still run. Every step is logged in the pipeline's
 * event log ({@link UpdateEventLog}). A COMPLETED update then runs the table maintenance its settings
 * ask for ({@link RunSettings#maintenance()}).
 */
public final class UpdateRunner {

  /** How often a running update tells its listener the rows each flow has written. */
  private static final Duration ROWS_REPORT = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PipelineStorage storage;
  private final JobIo io;
  private final JobTranslator.FlowStages stages;
  private final RunSettings settings;
  private final JobLauncher launcher;
  private final OnceFlows onceFlows;

  public UpdateRunner(EmbeddedCluster cluster, PipelineStorage storage, JobIo io, JobTranslator.FlowStages stages,
      CaughtUpSignals signals, RunSettings settings) {
    this.storage = storage;
    this.io = io;
    this.stages = stages;
    this.settings = settings;
    this.launcher = new JobLauncher(cluster, storage, signals, settings);
    this.onceFlows = new OnceFlows(storage);
  }

  /**
   * Clears what a selection fully refreshes: each reset job's tables, schema locations, state
   * generations and state. Done before the plan is analyzed for the update, so Auto Loader infers
   * its schema afresh.
   */
  public static void reset(PipelineStorage storage, List<PlannedJob> jobs, RefreshSelection.Resolved selected) {
    for (PlannedJob job : jobs) {
      if (selected.resetJobs().contains(job.name())) {
        job.datasets().forEach(storage::resetDataset);
        job.flows().forEach(storage::resetDataset); // an append flow's schema location and generation
        storage.clearState(job.name());
      }
    }
  }

  /**
   * Runs an update of {@code plan}'s jobs that {@code selected} runs (the others' flows are
   * EXCLUDED; resets were applied by {@link #reset}), stopping gracefully once {@code stopRequest}
   * completes: the running streaming job is stopped with a savepoint (its epoch commits, its state and
   * positions are kept), later jobs do not start, and the update ends STOPPED.
   */
  public UpdateResult run(ResolvedPlan plan, RefreshSelection.Resolved selected, UpdateListener listener,
      CompletableFuture<Void> stopRequest) {
    return run(plan, () -> plan, selected, listener, stopRequest);
  }

  /**
   * As {@link #run(ResolvedPlan, RefreshSelection.Resolved, UpdateListener, CompletableFuture)};
   * {@code reanalyze} analyzes the pipeline again, for a flow that restarts within the update after
   * an Auto Loader source evolved its schema (production mode).
   */
  public UpdateResult run(ResolvedPlan plan, Supplier<ResolvedPlan> reanalyze, RefreshSelection.Resolved selected,
      UpdateListener listener, CompletableFuture<Void> stopRequest) {
    String updateId = UUID.randomUUID().toString();
    Instant start = Instant.now();
    long number = reserveUpdateNumber(plan.plan().pipeline(), updateId, start);
    UpdateEventLog events = UpdateEventLog.begin(storage, plan.plan(), updateId, number,
        !selected.resetJobs().isEmpty());
    stopRequest.thenRun(() -> events.userAction("STOP"));
    events.updateProgress(UpdateState.RUNNING, Optional.empty());
    try {
      UpdateResult result;
      try (RowsWatcher rows = RowsWatcher.start(launcher::rowsWritten, listener, ROWS_REPORT)) {
        result = runUpdate(new Planning(plan, reanalyze), selected, events.listener(listener), stopRequest,
            updateId, number, start);
      }
      if (result.state() == UpdateState.COMPLETED) {
        settings.maintenance().run(storage, plan.plan(), result, events);
      }
      events.end(result);
      return result;
    } catch (RuntimeException e) {
      events.failed(e);
      throw e;
    }
  }

  private UpdateResult runUpdate(Planning planning, RefreshSelection.Resolved selected, UpdateListener listener,
      CompletableFuture<Void> stopRequest, String updateId, long number, Instant start) {
    ResolvedPlan plan = planning.plan;
    List<PlannedJob> jobs = JobPlanner.plan(plan.plan());
    List<DatasetSpec> persisted = plan.plan().datasets().stream().filter(d -> d.kind().isPersisted()).toList();
    Map<String, String> generations = new LinkedHashMap<>();
    persisted.forEach(d -> generations.put(d.name(), storage.generation(d.name())));
    persisted.stream().filter(DatasetSpec::quarantine)
        .forEach(d -> generations.put(d.quarantineTable(), storage.generation(d.quarantineTable())));
    plan.plan().appendFlows().forEach(f -> generations.put(f.name(), storage.generation(f.name())));
    jobs.forEach(j -> j.datasets().forEach(d ->
        listener.onFlow(d, FlowState.QUEUED, selected.notes().getOrDefault(d, ""))));

    JobTranslator translator = planning.translator;
    List<FlowResult> results = new ArrayList<>();
    if (settings.continuous()) {
      Map<String, Integer> recomputations = new HashMap<>();
      Function<PlannedJob, JobContext> contexts = job -> new JobContext(plan.plan().pipeline(), job, updateId,
          number, generations, true, settings.checkpointInterval(),
          recomputations.merge(job.name(), 1, Integer::sum) - 1);
      for (PlannedJob once : jobs.stream().filter(PlannedJob::once).toList()) {
        once.datasets().forEach(flow -> {
          listener.onFlow(flow, FlowState.EXCLUDED, "a once flow runs in triggered updates only");
          results.add(new FlowResult(flow, once.name(), FlowState.EXCLUDED, Optional.empty()));
        });
      }
      Optional<String> error = new ContinuousRun(plan, translator, contexts, listener, stopRequest, results)
          .run(jobs.stream().filter(j -> selected.runJobs().contains(j.name()) && !j.once()).toList());
      UpdateResult result = new UpdateResult(plan.plan().pipeline(), updateId, number,
          error.isPresent() ? UpdateState.FAILED : UpdateState.STOPPED, results, error,
          Duration.between(start, Instant.now()));
      record(result, start);
      return result;
    }
    Set<String> failedJobs = new HashSet<>();
    boolean stopped = false;
    Optional<String> firstError = Optional.empty();
    for (PlannedJob planned : jobs) {
      PlannedJob job = planning.job(planned.name()); // the plan may have been analyzed again since
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
      String onceTarget = job.once() ? plan.plan().appendFlow(job.datasets().get(0)).orElseThrow().target()
          .orElseThrow() : "";
      if (job.once() && !onceFlows.pending(job, generations, onceTarget)) {
        String why = "a once flow; it ran for this table already and runs again after a full refresh of "
            + onceTarget;
        job.datasets().forEach(flow -> {
          listener.onFlow(flow, FlowState.EXCLUDED, why);
          results.add(new FlowResult(flow, job.name(), FlowState.EXCLUDED, Optional.empty()));
        });
        continue;
      }
      try {
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
        boolean caughtUp = runEvolvingSchemas(planning, job.name(), restart -> new JobContext(
            planning.plan.plan().pipeline(), planning.job(job.name()),
            restart == 0 ? updateId : updateId + "#schema" + restart, number, generations), listener, stopRequest);
        if (job.once() && caughtUp) {
          onceFlows.done(job, generations, onceTarget);
        }
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

  /** Restarts of one flow for new columns within an update, so a source that keeps evolving cannot loop. */
  static final int MAX_SCHEMA_RESTARTS = 10;

  /**
   * Runs one job; when an Auto Loader source stored an evolved schema and stopped it
   * ({@link SchemaEvolvedException}), production mode analyzes the pipeline again (the source's row
   * type now has the new columns, and so do the tables derived from it), and runs the job again from
   * the newest checkpoint of the stopped run, as Delta Live Tables restarts the flow. Development mode
   * fails the flow with a message naming the columns; the next update reads them.
   */
  private boolean runEvolvingSchemas(Planning planning, String jobName, IntFunction<JobContext> contexts,
      UpdateListener listener, CompletableFuture<Void> stopRequest) throws InterruptedException {
    for (int restart = 0; ; restart++) {
      try {
        return runWithRetries(planning.plan, planning.translator, contexts.apply(restart), listener, stopRequest);
      } catch (RuntimeException e) {
        Optional<Throwable> found = SchemaEvolvedException.find(e);
        if (found.isEmpty()) {
          throw e;
        }
        PlannedJob job = planning.job(jobName);
        String evolved = describeEvolution(job, found.get());
        if (settings.development() || stopRequest.isDone()) {
          throw new SchemaEvolvedStop(evolved + " The flow stopped; the next update reads the file again with the"
              + " new columns: run the pipeline again. (In production mode, development: false, the flow restarts"
              + " with them within the update.)");
        }
        if (restart >= MAX_SCHEMA_RESTARTS) {
          throw new SchemaEvolvedStop(evolved + " The flow was already restarted " + restart + " times for new"
              + " columns in this update; run the pipeline again to continue.");
        }
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.FAILED, evolved + " Restarting the flow with"
            + " the evolved schema."));
        planning.reanalyze(jobName);
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, "restart with the evolved schema"));
      }
    }
  }

  /** Which flow met which columns where, from the exception (or its message, if it came serialized). */
  private static String describeEvolution(PlannedJob job, Throwable found) {
    if (found instanceof SchemaEvolvedException evolved) {
      String flow = job.datasets().stream().filter(d -> evolved.sourceId().startsWith(d + "-source"))
          .findFirst().orElse(String.join(", ", job.datasets()));
      return "Flow '" + flow + "': Auto Loader found new columns " + evolved.newColumns() + " in file "
          + evolved.file() + " and added them to the schema stored under '" + evolved.schemaLocation() + "'.";
    }
    return "Flow '" + String.join(", ", job.datasets()) + "': " + JobErrors.rootMessage(found);
  }

  /** A flow stopped for new columns and was not restarted: a FAILED flow, never retried as such. */
  static final class SchemaEvolvedStop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SchemaEvolvedStop(String message) {
      super(message); // no cause: the flow's error is this message, not the source's
    }
  }

  /**
   * The update's current analysis of the pipeline, its jobs and their translator; analyzed again
   * when a source's schema evolves. Job names derive from table names, so the jobs keep their names.
   */
  private final class Planning {
    private final Supplier<ResolvedPlan> reanalyze;
    ResolvedPlan plan;
    List<PlannedJob> jobs;
    JobTranslator translator;

    Planning(ResolvedPlan plan, Supplier<ResolvedPlan> reanalyze) {
      this.plan = plan;
      this.reanalyze = reanalyze;
      this.jobs = JobPlanner.plan(plan.plan());
      this.translator = new JobTranslator(plan, io, stages);
    }

    PlannedJob job(String name) {
      return jobs.stream().filter(j -> j.name().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException(
          "job " + name + " is not in the plan analyzed again; jobs: " + jobs.stream().map(PlannedJob::name).toList()));
    }

    void reanalyze(String running) {
      ResolvedPlan again = reanalyze.get();
      List<PlannedJob> replanned = JobPlanner.plan(again.plan());
      if (!replanned.stream().map(PlannedJob::name).toList().equals(jobs.stream().map(PlannedJob::name).toList())) {
        throw new IllegalStateException("analyzed again after new columns in job " + running + ", the pipeline's"
            + " jobs changed from " + jobs.stream().map(PlannedJob::name).toList() + " to "
            + replanned.stream().map(PlannedJob::name).toList());
      }
      plan = again;
      jobs = replanned;
      translator = new JobTranslator(again, io, stages);
    }
  }

  /**
   * Runs one job, and in production mode runs it again after a failure, up to
   * {@link RunSettings#maxFlowRetries()} times with a doubling backoff; each failed attempt is a
   * FAILED flow event. Development mode fails fast. A failure the user must fix (an expect_or_fail
   * violation, a definition or state-compatibility error) is never retried. A new attempt restores
   * the newest checkpoint the failed attempt completed (or the previous update's savepoint if it
   * completed none), so its sources resume after what its committed epochs hold, and epochs pending
   * in that checkpoint are committed once (the committer skips transaction versions the table has).
   */
  private boolean runWithRetries(ResolvedPlan plan, JobTranslator translator, JobContext context,
      UpdateListener listener, CompletableFuture<Void> stopRequest) throws InterruptedException {
    int retries = settings.development() ? 0 : settings.maxFlowRetries();
    Duration backoff = settings.retryBackoff();
    for (int attempt = 1; ; attempt++) {
      try {
        return runJob(plan, translator, context.forAttempt(attempt), listener, stopRequest);
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

  /**
   * Continuous mode: every selected streaming job starts and keeps running, checkpointing (one epoch,
   * one commit per table) every trigger interval, with sources that keep discovering input; each
   * materialized table is recomputed when one of the tables it reads has a new version, checked once
   * per interval. It ends when a stop is requested (every streaming job is stopped with a savepoint:
   * STOPPED) or a streaming job fails (the others are stopped the same way: FAILED).
   */
  private final class ContinuousRun {
    private final ResolvedPlan plan;
    private final JobTranslator translator;
    private final Function<PlannedJob, JobContext> contexts;
    private final UpdateListener listener;
    private final CompletableFuture<Void> stopRequest;
    private final List<FlowResult> results;

    ContinuousRun(ResolvedPlan plan, JobTranslator translator, Function<PlannedJob, JobContext> contexts,
        UpdateListener listener, CompletableFuture<Void> stopRequest, List<FlowResult> results) {
      this.plan = plan;
      this.translator = translator;
      this.contexts = contexts;
      this.listener = listener;
      this.stopRequest = stopRequest;
      this.results = results;
    }

    Optional<String> run(List<PlannedJob> jobs) {
      List<JobLauncher.Launched> streams = new ArrayList<>();
      Map<String, Map<String, Long>> recomputedFrom = new HashMap<>();
      Set<String> failedTables = new HashSet<>();
      Optional<String> error = Optional.empty();
      try {
        for (PlannedJob job : jobs) {
          if (job.mode() == PlannedJob.Mode.STREAMING) {
            job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
            streams.add(launcher.launch(plan, translator, contexts.apply(job)));
            job.datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, ""));
          }
        }
        while (!stopRequest.isDone() && error.isEmpty()) {
          error = firstFailure(streams);
          for (PlannedJob job : jobs) {
            if (job.mode() == PlannedJob.Mode.BATCH && error.isEmpty()) {
              recomputeIfInputsChanged(job, recomputedFrom, failedTables);
            }
          }
          CompletableFuture<?>[] wakeUps = new CompletableFuture<?>[streams.size() + 2];
          wakeUps[0] = stopRequest;
          wakeUps[1] = CompletableFuture.runAsync(() -> { },
              CompletableFuture.delayedExecutor(settings.checkpointInterval().toMillis(), TimeUnit.MILLISECONDS));
          for (int i = 0; i < streams.size(); i++) {
            wakeUps[i + 2] = streams.get(i).result();
          }
          JobLauncher.await(CompletableFuture.anyOf(wakeUps).handle((ignored, e) -> null));
          error = error.or(() -> firstFailure(streams));
        }
        for (PlannedJob job : jobs) {
          if (job.mode() == PlannedJob.Mode.BATCH) {
            FlowState end = failedTables.contains(job.name()) ? FlowState.FAILED : FlowState.COMPLETED;
            job.datasets().forEach(d -> results.add(new FlowResult(d, job.name(), end, Optional.empty())));
          }
        }
        for (JobLauncher.Launched stream : streams) {
          PlannedJob job = stream.context().job();
          if (stream.result().isDone()) {
            continue;
          }
          launcher.stopKeepingState(stream);
          for (String dataset : job.datasets()) {
            listener.onFlow(dataset, FlowState.STOPPED, "stopped with a savepoint; its state is kept");
            results.add(new FlowResult(dataset, job.name(), FlowState.STOPPED, Optional.empty()));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("continuous update was interrupted", e);
      } finally {
        streams.forEach(launcher::cancelIfRunning);
      }
      return error.or(() -> failedTables.isEmpty() ? Optional.empty()
          : Optional.of("the last recomputation of " + failedTables + " failed; see its FAILED flow event"));
    }

    private Optional<String> firstFailure(List<JobLauncher.Launched> streams) {
      for (JobLauncher.Launched stream : streams) {
        if (stream.result().isDone() && !alreadyReported(stream)) {
          String error;
          try {
            launcher.awaitSuccess(stream);
            error = "job " + stream.context().job().name() + " ended although its sources never finish";
          } catch (RuntimeException | InterruptedException e) {
            error = SchemaEvolvedException.find(e)
                .map(evolved -> describeEvolution(stream.context().job(), evolved) + " The flow stopped; the next"
                    + " update reads the file again with the new columns: run the pipeline again.")
                .orElseGet(() -> JobErrors.rootMessage(e));
          }
          for (String dataset : stream.context().job().datasets()) {
            listener.onFlow(dataset, FlowState.FAILED, error);
            results.add(new FlowResult(dataset, stream.context().job().name(), FlowState.FAILED, Optional.of(error)));
          }
          return Optional.of(error);
        }
      }
      return Optional.empty();
    }

    private boolean alreadyReported(JobLauncher.Launched stream) {
      String first = stream.context().job().datasets().get(0);
      return results.stream().anyMatch(r -> r.dataset().equals(first));
    }

    private void recomputeIfInputsChanged(PlannedJob job, Map<String, Map<String, Long>> recomputedFrom,
        Set<String> failedTables) throws InterruptedException {
      Map<String, Long> versions = new TreeMap<>();
      for (String table : job.datasets()) {
        for (String input : JobPlanner.tablesRead(plan.plan(), table)) {
          versions.put(input, tableVersion(input));
        }
      }
      if (versions.containsValue(-1L) || versions.equals(recomputedFrom.get(job.name()))) {
        return; // an input has no table yet, or nothing changed since the last recomputation
      }
      recomputedFrom.put(job.name(), versions);
      job.datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, "recomputing: its inputs changed"));
      try {
        launcher.awaitSuccess(launcher.launch(plan, translator, contexts.apply(job)));
        failedTables.remove(job.name());
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.COMPLETED, "recomputed from " + versions));
      } catch (RuntimeException e) {
        // tried again when an input changes; reported in the result if it is the last word
        failedTables.add(job.name());
        String error = JobErrors.rootMessage(e);
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.FAILED, error + "; retried when an input changes"));
      }
    }

    private long tableVersion(String table) {
      String path = storage.tablePath(table);
      return DeltaTableReader.schema(path).isPresent() ? DeltaTableReader.version(path) : -1;
    }
  }

  /** Runs one job; returns false if a stop request ended a streaming job before it caught up. */
  private boolean runJob(ResolvedPlan plan, JobTranslator translator, JobContext context, UpdateListener listener,
      CompletableFuture<Void> stopRequest) throws InterruptedException {
    JobLauncher.Launched launched = launcher.launch(plan, translator, context);
    try {
      context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, ""));
      if (context.job().mode() == PlannedJob.Mode.BATCH) {
        launcher.awaitSuccess(launched);
        return true;
      }
      JobLauncher.await(CompletableFuture.anyOf(launched.caughtUp(), launched.result(), stopRequest)
          .handle((ignored, error) -> null));
      if (launched.result().isDone()) {
        launcher.awaitSuccess(launched);
        throw new IllegalStateException("job " + context.job().name() + " finished before its sources caught up");
      }
      boolean caughtUp = launched.caughtUp().isDone();
      launcher.stopKeepingState(launched);
      return caughtUp;
    } finally {
      launcher.cancelIfRunning(launched);
    }
  }

  /**
   * The next update number, reserved by creating its record (create-if-absent), so an update that
   * dies before its end is never numbered again: a materialized table's overwrite version derives
   * from it.
   */
  private long reserveUpdateNumber(String pipeline, String updateId, Instant start) {
    for (long number = UpdateEventLog.updateNumber(storage, nextUpdateNumber()); ; number++) {
      String record = "{\"pipeline\": \"" + pipeline + "\", \"update_id\": \"" + updateId + "\", \"number\": "
          + number + ", \"state\": \"RUNNING\", \"started\": \"" + start + "\"}\n";
      if (storage.createIfAbsent(new Path(storage.updatesDir(), String.format("%06d.json", number)), record)) {
        return number;
      }
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
