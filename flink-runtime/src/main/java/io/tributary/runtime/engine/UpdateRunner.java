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
import java.util.ArrayDeque;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.types.logical.RowType;
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
    events.notices().forEach(listener::onNotice);
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
      Optional<String> error = new ContinuousRun(planning, contexts, listener, stopRequest, results)
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
  /** How long a job whose stop with a savepoint failed may take to show that it ended on its own. */
  private static final Duration ENDED_JOB_PATIENCE = Duration.ofSeconds(30);

  /**
   * Runs one job; when an Auto Loader source stored an evolved schema and stopped it
   * ({@link SchemaEvolvedException}), production mode analyzes the pipeline again and runs the job
   * again from the newest checkpoint of the stopped run, as {@link #restartForNewColumns} decides.
   */
  private boolean runEvolvingSchemas(Planning planning, String jobName, IntFunction<JobContext> contexts,
      UpdateListener listener, CompletableFuture<Void> stopRequest) throws InterruptedException {
    for (int restart = 0; ; restart++) {
      try {
        return runWithRetries(planning.plan, planning.translator, contexts.apply(restart), listener, stopRequest);
      } catch (RuntimeException e) {
        // jobs later in the order run with the plan analyzed again; earlier ones do not read this one
        restartForNewColumns(planning, jobName, e, restart, listener, stopRequest.isDone());
      }
    }
  }

  /**
   * Whether a job that ended with {@code failure} restarts within the update, the one rule of
   * triggered and continuous updates. Only a flow stopped for new columns ({@link SchemaEvolvedException})
   * restarts, and only in production mode, at most {@link #MAX_SCHEMA_RESTARTS} times per job and
   * update: the flow is logged FAILED for the columns and STARTING again, as Delta Live Tables
   * restarts the flow, and the pipeline is analyzed again (the source's row type now has the new
   * columns, and so do the tables derived from it). Development mode, or a triggered update asked to
   * stop ({@code stopping}), ends the flow with a message naming the columns; the next update reads
   * them. Any other failure is thrown as it is.
   *
   * @param restarts how often this job restarted for new columns in this update so far
   * @return the jobs whose row types the new analysis changed, in dependency order (see
   *     {@link Planning#reanalyze})
   */
  private List<String> restartForNewColumns(Planning planning, String jobName, RuntimeException failure,
      int restarts, UpdateListener listener, boolean stopping) {
    Optional<Throwable> found = SchemaEvolvedException.find(failure);
    if (found.isEmpty()) {
      throw failure;
    }
    PlannedJob job = planning.job(jobName);
    String evolved = describeEvolution(job, found.get());
    if (settings.development() || stopping) {
      throw new SchemaEvolvedStop(evolved + " The flow stopped; the next update reads the file again with the"
          + " new columns: run the pipeline again. (In production mode, development: false, the flow restarts"
          + " with them within the update.)");
    }
    if (restarts >= MAX_SCHEMA_RESTARTS) {
      throw new SchemaEvolvedStop(evolved + " The flow was already restarted " + restarts + " times for new"
          + " columns in this update; run the pipeline again to continue.");
    }
    job.datasets().forEach(d -> listener.onFlow(d, FlowState.FAILED, evolved + " Restarting the flow with"
        + " the evolved schema."));
    List<String> changed = planning.reanalyze(jobName);
    job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, "restart with the evolved schema"));
    return changed;
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

    /**
     * Analyzes the pipeline again after {@code running}'s source stored new columns, and returns the
     * jobs whose row types changed, in dependency order: those whose translation differs now (see
     * {@link #rowTypes}).
     */
    List<String> reanalyze(String running) {
      ResolvedPlan again = reanalyze.get();
      List<PlannedJob> replanned = JobPlanner.plan(again.plan());
      if (!replanned.stream().map(PlannedJob::name).toList().equals(jobs.stream().map(PlannedJob::name).toList())) {
        throw new IllegalStateException("analyzed again after new columns in job " + running + ", the pipeline's"
            + " jobs changed from " + jobs.stream().map(PlannedJob::name).toList() + " to "
            + replanned.stream().map(PlannedJob::name).toList());
      }
      List<String> changed = changedJobs(plan, again);
      plan = again;
      jobs = replanned;
      translator = new JobTranslator(again, io, stages);
      return changed;
    }
  }

  /**
   * The jobs, in dependency order, whose row types ({@link #rowTypes}) differ between two analyses of
   * a pipeline whose jobs kept their names: those to restart so they run what the new one analyzed.
   */
  static List<String> changedJobs(ResolvedPlan before, ResolvedPlan after) {
    Map<String, PlannedJob> jobsBefore = new HashMap<>();
    JobPlanner.plan(before.plan()).forEach(job -> jobsBefore.put(job.name(), job));
    return JobPlanner.plan(after.plan()).stream()
        .filter(job -> !rowTypes(before, jobsBefore.get(job.name())).equals(rowTypes(after, job)))
        .map(PlannedJob::name).toList();
  }

  /**
   * The row types a job's translation depends on: those of the tables and flows it writes and of the
   * datasets they read, through views (a view is inlined where it is read). A job none of whose row
   * types changed runs the same program after a new analysis.
   */
  private static Map<String, RowType> rowTypes(ResolvedPlan plan, PlannedJob job) {
    Map<String, RowType> types = new HashMap<>();
    Set<String> written = new HashSet<>(job.datasets());
    written.addAll(job.flows());
    ArrayDeque<String> names = new ArrayDeque<>(written);
    while (!names.isEmpty()) {
      String name = names.pop();
      if (types.containsKey(name)) {
        continue;
      }
      types.put(name, plan.schemas().get(name));
      boolean view = plan.plan().dataset(name).map(d -> !d.kind().isPersisted()).orElse(false);
      if (written.contains(name) || view) {
        plan.plan().inputsOf(name).forEach(input -> names.add(input.dataset()));
      }
    }
    return types;
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
   * per interval. A streaming job stopped for new columns restarts as in a triggered update
   * ({@link #restartForNewColumns}: production mode only, from its newest checkpoint) while the other
   * jobs keep running; a running job whose row types the new analysis changed is stopped with a
   * savepoint and restarted with it, in dependency order. The update ends when a stop is requested
   * (every streaming job is stopped with a savepoint: STOPPED) or a streaming job fails (the others
   * are stopped the same way: FAILED).
   */
  private final class ContinuousRun {
    private final Planning planning;
    private final Function<PlannedJob, JobContext> contexts;
    private final UpdateListener listener;
    private final CompletableFuture<Void> stopRequest;
    private final List<FlowResult> results;
    /** Each streaming job's latest run, by job name, in dependency order. */
    private final Map<String, JobLauncher.Launched> streams = new LinkedHashMap<>();
    /** Every run launched, so none is left running when the update ends. */
    private final List<JobLauncher.Launched> launched = new ArrayList<>();
    private final Map<String, Integer> schemaRestarts = new HashMap<>();
    /** The first streaming job's failure: it ends the update. */
    private Optional<String> error = Optional.empty();

    ContinuousRun(Planning planning, Function<PlannedJob, JobContext> contexts, UpdateListener listener,
        CompletableFuture<Void> stopRequest, List<FlowResult> results) {
      this.planning = planning;
      this.contexts = contexts;
      this.listener = listener;
      this.stopRequest = stopRequest;
      this.results = results;
    }

    Optional<String> run(List<PlannedJob> selected) {
      Map<String, Map<String, Long>> recomputedFrom = new HashMap<>();
      Set<String> failedTables = new HashSet<>();
      try {
        // the tables a streaming job looks up are computed before it starts, or its first rows would
        // meet no table at all (a lookup of a table not created yet finds nothing)
        for (PlannedJob job : selected) {
          if (job.mode() == PlannedJob.Mode.BATCH && lookedUpByAStream(job, selected)) {
            recomputeIfInputsChanged(job, recomputedFrom, failedTables);
          }
        }
        for (PlannedJob job : selected) {
          if (job.mode() == PlannedJob.Mode.STREAMING) {
            job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
            launch(job);
          }
        }
        while (!stopRequest.isDone() && error.isEmpty()) {
          handleEndedStreams();
          for (PlannedJob selectedJob : selected) {
            PlannedJob job = planning.job(selectedJob.name()); // the plan may have been analyzed again since
            if (job.mode() == PlannedJob.Mode.BATCH && error.isEmpty()) {
              recomputeIfInputsChanged(job, recomputedFrom, failedTables);
            }
          }
          List<CompletableFuture<?>> wakeUps = new ArrayList<>();
          wakeUps.add(stopRequest);
          wakeUps.add(CompletableFuture.runAsync(() -> { },
              CompletableFuture.delayedExecutor(settings.checkpointInterval().toMillis(), TimeUnit.MILLISECONDS)));
          streams.values().forEach(stream -> wakeUps.add(stream.result()));
          JobLauncher.await(CompletableFuture.anyOf(wakeUps.toArray(CompletableFuture[]::new))
              .handle((ignored, e) -> null));
          handleEndedStreams();
        }
        for (PlannedJob selectedJob : selected) {
          if (selectedJob.mode() == PlannedJob.Mode.BATCH) {
            FlowState end = failedTables.contains(selectedJob.name()) ? FlowState.FAILED : FlowState.COMPLETED;
            selectedJob.datasets().forEach(d -> results.add(new FlowResult(d, selectedJob.name(), end,
                Optional.empty())));
          }
        }
        for (String name : List.copyOf(streams.keySet())) {
          while (!reported(name)) {
            if (streams.get(name).result().isDone()) {
              restartOrFail(name); // a job stopped for new columns restarts, and is then stopped as the others
            } else if (stop(name)) {
              for (String dataset : planning.job(name).datasets()) {
                listener.onFlow(dataset, FlowState.STOPPED, "stopped with a savepoint; its state is kept");
                results.add(new FlowResult(dataset, name, FlowState.STOPPED, Optional.empty()));
              }
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("continuous update was interrupted", e);
      } finally {
        launched.forEach(launcher::cancelIfRunning);
      }
      return error.or(() -> failedTables.isEmpty() ? Optional.empty()
          : Optional.of("the last recomputation of " + failedTables + " failed; see its FAILED flow event"));
    }

    /** Whether a streaming job of {@code selected} comes after {@code table}'s job (it looks the table up). */
    private static boolean lookedUpByAStream(PlannedJob table, List<PlannedJob> selected) {
      return selected.stream().anyMatch(job -> job.mode() == PlannedJob.Mode.STREAMING
          && job.upstreamJobs().contains(table.name()));
    }

    private void launch(PlannedJob job) {
      JobLauncher.Launched run = launcher.launch(planning.plan, planning.translator, contexts.apply(job));
      launched.add(run);
      streams.put(job.name(), run);
      job.datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, ""));
    }

    /** Restarts or reports each streaming job that ended since the last look ({@link #restartOrFail}). */
    private void handleEndedStreams() throws InterruptedException {
      for (String name : List.copyOf(streams.keySet())) {
        if (streams.get(name).result().isDone() && !reported(name)) {
          restartOrFail(name);
        }
      }
    }

    /**
     * A streaming job ended (its sources never finish, so it failed): restarts it if it stopped for new
     * columns and {@link #restartForNewColumns} allows it, together with the running jobs whose row
     * types the new analysis changed, in dependency order; otherwise reports it FAILED, which ends
     * the update.
     */
    private void restartOrFail(String name) throws InterruptedException {
      RuntimeException failure;
      try {
        launcher.awaitSuccess(streams.get(name));
        failure = new IllegalStateException("job " + name + " ended although its sources never finish");
      } catch (RuntimeException e) {
        failure = e;
      }
      List<String> changed;
      try {
        changed = restartForNewColumns(planning, name, failure, schemaRestarts.getOrDefault(name, 0), listener,
            false); // a stop requested meanwhile stops the restarted job with a savepoint, as the others
      } catch (RuntimeException e) {
        fail(name, JobErrors.rootMessage(e));
        return;
      }
      schemaRestarts.merge(name, 1, Integer::sum);
      for (PlannedJob job : planning.jobs) {
        boolean evolved = job.name().equals(name);
        if (!evolved && !(changed.contains(job.name()) && running(job.name()) && stop(job.name()))) {
          continue;
        }
        if (!evolved) {
          job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING,
              "restart with the evolved schema of job " + name + ": the row types it reads changed"));
        }
        try {
          launch(job);
        } catch (RuntimeException e) { // such as state that does not fit the new analysis
          fail(job.name(), JobErrors.rootMessage(e));
        }
      }
    }

    /**
     * Stops a running streaming job with a savepoint: true once stopped. False if the stop failed: when
     * the job ended on its own meanwhile its end is left to {@link #handleEndedStreams} (it may have
     * met new columns itself), otherwise the stop's error is the job's failure.
     */
    private boolean stop(String name) throws InterruptedException {
      JobLauncher.Launched stream = streams.get(name);
      try {
        launcher.stopKeepingState(stream);
        return true;
      } catch (RuntimeException e) {
        try {
          stream.result().handle((ignored, failure) -> null).get(ENDED_JOB_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException stillRunning) {
          fail(name, JobErrors.rootMessage(e));
        }
        return false;
      }
    }

    private boolean running(String name) {
      return streams.containsKey(name) && !streams.get(name).result().isDone() && !reported(name);
    }

    private void fail(String name, String message) {
      error = error.or(() -> Optional.of(message));
      for (String dataset : planning.job(name).datasets()) {
        listener.onFlow(dataset, FlowState.FAILED, message);
        results.add(new FlowResult(dataset, name, FlowState.FAILED, Optional.of(message)));
      }
    }

    private boolean reported(String name) {
      String first = planning.job(name).datasets().get(0);
      return results.stream().anyMatch(r -> r.dataset().equals(first));
    }

    private void recomputeIfInputsChanged(PlannedJob job, Map<String, Map<String, Long>> recomputedFrom,
        Set<String> failedTables) throws InterruptedException {
      Map<String, Long> versions = new TreeMap<>();
      for (String table : job.datasets()) {
        for (String input : JobPlanner.tablesRead(planning.plan.plan(), table)) {
          versions.put(input, tableVersion(input));
        }
      }
      if (versions.containsValue(-1L) || versions.equals(recomputedFrom.get(job.name()))) {
        return; // an input has no table yet, or nothing changed since the last recomputation
      }
      recomputedFrom.put(job.name(), versions);
      job.datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, "recomputing: its inputs changed"));
      try {
        launcher.awaitSuccess(launcher.launch(planning.plan, planning.translator, contexts.apply(job)));
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
