package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.JobPlanner;
import io.tributary.runtime.translate.PlannedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A continuous update: every selected streaming job starts and keeps running, checkpointing (one
 * epoch, one commit per table) every trigger interval, with sources that keep discovering input. An
 * incremental materialized table's job is such a streaming job too, launched once every table it
 * reads exists ({@link DeferredLaunches}); each other materialized table is recomputed when one of
 * the tables it reads has a new version, checked once per interval. A streaming job stopped for new
 * columns restarts as in a triggered update ({@link SchemaRestarts}: production mode only, from its
 * newest checkpoint) while the other jobs keep running; a running job whose row types the new
 * analysis changed is stopped with a savepoint and restarted with it, in dependency order. The update
 * ends when a stop is requested (every streaming job is stopped with a savepoint: STOPPED) or a
 * streaming job fails (the others are stopped the same way: FAILED). Once flows are left for the next
 * triggered update (EXCLUDED).
 *
 * <p>One instance runs one update: it keeps that update's running jobs.
 */
final class ContinuousUpdate {

  /** How long a job whose stop with a savepoint failed may take to show that it ended on its own. */
  private static final Duration ENDED_JOB_PATIENCE = Duration.ofSeconds(30);

  private final JobLauncher launcher;
  private final SchemaRestarts schemaRestarts;
  private final PipelineStorage storage;
  private final Duration interval;
  private final UpdateScope scope;
  private final UpdateListener listener;
  private final List<FlowResult> results = new ArrayList<>();

  /** The plan jobs launch with: analyzed again when a flow restarts for new columns. */
  private UpdatePlan current;

  /** Each streaming job's latest run, by job name, in dependency order. */
  private final Map<String, JobLauncher.Launched> streams = new LinkedHashMap<>();

  /** Every run launched, so none is left running when the update ends. */
  private final List<JobLauncher.Launched> launched = new ArrayList<>();

  private final Map<String, Integer> schemaRestartCounts = new HashMap<>();

  /** Per materialized table's job, how often it was recomputed in this update. */
  private final Map<String, Integer> recomputations = new HashMap<>();

  /** The incremental materialized tables' jobs waiting for their inputs' tables. */
  private final DeferredLaunches deferred;

  /** The first streaming job's failure: it ends the update. */
  private Optional<String> error = Optional.empty();

  ContinuousUpdate(
      JobLauncher launcher,
      SchemaRestarts schemaRestarts,
      PipelineStorage storage,
      Duration interval,
      UpdatePlan plan,
      UpdateScope scope) {
    this.launcher = launcher;
    this.schemaRestarts = schemaRestarts;
    this.storage = storage;
    this.interval = interval;
    this.current = plan;
    this.scope = scope;
    this.listener = scope.listener();
    this.deferred = new DeferredLaunches(storage, listener);
  }

  UpdateScope.Ended run() {
    for (PlannedJob once : current.jobs().stream().filter(PlannedJob::once).toList()) {
      once.datasets()
          .forEach(
              flow -> {
                listener.onFlow(
                    flow, FlowState.EXCLUDED, "a once flow runs in triggered updates only");
                results.add(
                    new FlowResult(flow, once.name(), FlowState.EXCLUDED, Optional.empty()));
              });
    }
    List<PlannedJob> selected =
        current.jobs().stream()
            .filter(j -> scope.selected().runJobs().contains(j.name()) && !j.once())
            .toList();
    Optional<String> tooFewSlots = slotShortfall(selected);
    tooFewSlots.ifPresent(message -> selected.forEach(job -> fail(job.name(), message)));
    Optional<String> failure = tooFewSlots.or(() -> runSelected(selected));
    return new UpdateScope.Ended(
        failure.isPresent() ? UpdateState.FAILED : UpdateState.STOPPED, results, failure);
  }

  /**
   * Why the {@code selected} jobs cannot run at once on the executor's cluster ({@link
   * SlotCheck}), before any is launched.
   */
  private Optional<String> slotShortfall(List<PlannedJob> selected) {
    int parallelism = SlotCheck.parallelism(launcher.settings());
    Map<String, Integer> streaming = new LinkedHashMap<>();
    selected.stream()
        .filter(job -> job.mode() == PlannedJob.Mode.STREAMING)
        .forEach(job -> streaming.put(job.name(), parallelism));
    boolean recomputes = selected.stream().anyMatch(job -> job.mode() == PlannedJob.Mode.BATCH);
    return SlotCheck.shortfall(
        current.pipeline(), streaming, recomputes, launcher.executor().clusterSlots());
  }

  private JobContext context(PlannedJob job) {
    return new JobContext(
        current.pipeline(),
        job,
        scope.updateId(),
        scope.number(),
        scope.generations(),
        true,
        interval,
        recomputations.merge(job.name(), 1, Integer::sum) - 1);
  }

  private Optional<String> runSelected(List<PlannedJob> selected) {
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
        if (job.mode() == PlannedJob.Mode.STREAMING
            && IncrementalRefresh.incremental(current, job)) {
          deferred.add(job);
        } else if (job.mode() == PlannedJob.Mode.STREAMING) {
          job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
          launch(job);
        }
      }
      while (!scope.stopRequest().isDone() && error.isEmpty()) {
        handleEndedStreams();
        if (error.isEmpty()) {
          launchDeferred();
        }
        for (PlannedJob selectedJob : selected) {
          PlannedJob job =
              current.job(selectedJob.name()); // the plan may have been analyzed again since
          if (job.mode() == PlannedJob.Mode.BATCH && error.isEmpty()) {
            recomputeIfInputsChanged(job, recomputedFrom, failedTables);
          }
        }
        List<CompletableFuture<?>> wakeUps = new ArrayList<>();
        wakeUps.add(scope.stopRequest());
        wakeUps.add(
            CompletableFuture.runAsync(
                () -> {},
                CompletableFuture.delayedExecutor(interval.toMillis(), TimeUnit.MILLISECONDS)));
        streams.values().forEach(stream -> wakeUps.add(stream.result()));
        JobLauncher.await(
            CompletableFuture.anyOf(wakeUps.toArray(CompletableFuture[]::new))
                .handle((ignored, e) -> null));
        handleEndedStreams();
      }
      for (PlannedJob selectedJob : selected) {
        if (selectedJob.mode() == PlannedJob.Mode.BATCH) {
          FlowState end =
              failedTables.contains(selectedJob.name()) ? FlowState.FAILED : FlowState.COMPLETED;
          selectedJob
              .datasets()
              .forEach(
                  d -> results.add(new FlowResult(d, selectedJob.name(), end, Optional.empty())));
        }
      }
      results.addAll(deferred.neverStarted(current));
      for (String name : List.copyOf(streams.keySet())) {
        while (!reported(name)) {
          if (streams.get(name).result().isDone()) {
            restartOrFail(
                name); // a job stopped for new columns restarts, and is then stopped as the others
          } else if (stop(name)) {
            for (String dataset : current.job(name).datasets()) {
              listener.onFlow(
                  dataset, FlowState.STOPPED, "stopped with a savepoint; its state is kept");
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
    return error.or(
        () ->
            failedTables.isEmpty()
                ? Optional.empty()
                : Optional.of(
                    "the last recomputation of "
                        + failedTables
                        + " failed; see its FAILED flow event"));
  }

  /** Whether a streaming job of {@code selected} comes after {@code table}'s job (it looks the table up). */
  private static boolean lookedUpByAStream(PlannedJob table, List<PlannedJob> selected) {
    return selected.stream()
        .anyMatch(
            job ->
                job.mode() == PlannedJob.Mode.STREAMING
                    && job.upstreamJobs().contains(table.name()));
  }

  /**
   * Launches each deferred job whose input tables all exist now; one that cannot be launched (state
   * that does not fit) fails the update, as a streaming job's failure does.
   */
  private void launchDeferred() {
    for (PlannedJob job : deferred.ready(current)) {
      try {
        launch(job);
      } catch (RuntimeException e) {
        fail(job.name(), JobErrors.rootMessage(e));
      }
    }
  }

  private void launch(PlannedJob job) {
    JobLauncher.Launched run = launcher.launch(current, context(job));
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
   * columns and {@link SchemaRestarts} allows it, together with the running jobs whose row types the
   * new analysis changed, in dependency order; otherwise reports it FAILED, which ends the update.
   */
  private void restartOrFail(String name) throws InterruptedException {
    RuntimeException failure;
    try {
      launcher.awaitSuccess(streams.get(name));
      failure =
          new IllegalStateException("job " + name + " ended although its sources never finish");
    } catch (RuntimeException e) {
      failure = e;
    }
    SchemaRestarts.Restart restart;
    try {
      restart =
          schemaRestarts.restart(
              current,
              name,
              failure,
              schemaRestartCounts.getOrDefault(name, 0),
              listener,
              false); // a stop requested meanwhile stops the restarted job with a savepoint, as the
      // others
    } catch (RuntimeException e) {
      fail(name, JobErrors.rootMessage(e));
      return;
    }
    current = restart.plan();
    schemaRestartCounts.merge(name, 1, Integer::sum);
    for (PlannedJob job : current.jobs()) {
      boolean evolved = job.name().equals(name);
      if (!evolved
          && !(restart.changedJobs().contains(job.name())
              && running(job.name())
              && stop(job.name()))) {
        continue;
      }
      if (!evolved) {
        job.datasets()
            .forEach(
                d ->
                    listener.onFlow(
                        d,
                        FlowState.STARTING,
                        "restart with the evolved schema of job "
                            + name
                            + ": the row types it reads changed"));
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
        stream
            .result()
            .handle((ignored, failure) -> null)
            .get(ENDED_JOB_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
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
    for (String dataset : current.job(name).datasets()) {
      listener.onFlow(dataset, FlowState.FAILED, message);
      results.add(new FlowResult(dataset, name, FlowState.FAILED, Optional.of(message)));
    }
  }

  private boolean reported(String name) {
    String first = current.job(name).datasets().get(0);
    return results.stream().anyMatch(r -> r.dataset().equals(first));
  }

  private void recomputeIfInputsChanged(
      PlannedJob job, Map<String, Map<String, Long>> recomputedFrom, Set<String> failedTables)
      throws InterruptedException {
    Map<String, Long> versions = new TreeMap<>();
    for (String table : job.datasets()) {
      for (String input : JobPlanner.tablesRead(current.resolved().plan(), table)) {
        versions.put(input, DeferredLaunches.version(storage, input));
      }
    }
    if (versions.containsValue(-1L) || versions.equals(recomputedFrom.get(job.name()))) {
      return; // an input has no table yet, or nothing changed since the last recomputation
    }
    recomputedFrom.put(job.name(), versions);
    job.datasets()
        .forEach(d -> listener.onFlow(d, FlowState.RUNNING, "recomputing: its inputs changed"));
    try {
      launcher.awaitSuccess(launcher.launch(current, context(job)));
      failedTables.remove(job.name());
      job.datasets()
          .forEach(d -> listener.onFlow(d, FlowState.COMPLETED, "recomputed from " + versions));
    } catch (RuntimeException e) {
      // tried again when an input changes; reported in the result if it is the last word
      failedTables.add(job.name());
      String error = JobErrors.rootMessage(e);
      job.datasets()
          .forEach(
              d -> listener.onFlow(d, FlowState.FAILED, error + "; retried when an input changes"));
    }
  }
}
