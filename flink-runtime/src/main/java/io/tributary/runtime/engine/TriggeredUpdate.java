package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A triggered update: the plan's jobs in dependency order. A STREAMING job restores the state its
 * previous run left, runs until every source has caught up with what was there at the update's start,
 * and is stopped with a savepoint, which commits its last epoch. A BATCH job recomputes a materialized
 * table. A failed job's downstream jobs are SKIPPED; independent jobs still run. A job is retried as
 * {@link FlowRetries} says and restarted for new columns as {@link SchemaRestarts} says; a restart
 * analyzes the pipeline again, and the jobs started after it run with that plan (the ones running
 * beside it or before it do not read the restarted one).
 *
 * <p>Each job starts as soon as every job it reads has ended and its slots are free
 * ({@link JobLauncher#sideBySide()} jobs at once): independent jobs (a CDC flow beside the medallion
 * job) run side by side. Jobs start in the plan's order, so with one job at a time (an executor that
 * does not say its slots) the update runs exactly as a sequence. Flow results are reported in the
 * plan's order whatever order the jobs end in, and the update's error is the first failed job's in
 * that order.
 */
final class TriggeredUpdate {

  private final JobLauncher launcher;
  private final FlowRetries retries;
  private final SchemaRestarts schemaRestarts;
  private final OnceFlows onceFlows;

  TriggeredUpdate(
      JobLauncher launcher,
      FlowRetries retries,
      SchemaRestarts schemaRestarts,
      OnceFlows onceFlows) {
    this.launcher = launcher;
    this.retries = retries;
    this.schemaRestarts = schemaRestarts;
    this.onceFlows = onceFlows;
  }

  /** How one job ended: its flows' results, whether it failed or stopped, and the plan it ended with. */
  private record Finished(
      String job,
      List<FlowResult> results,
      boolean failed,
      boolean stopped,
      Optional<String> error,
      UpdatePlan startedWith,
      UpdatePlan plan) {}

  UpdateScope.Ended run(UpdatePlan plan, UpdateScope scope) {
    List<PlannedJob> selected =
        plan.jobs().stream().filter(j -> scope.selected().runJobs().contains(j.name())).toList();
    Optional<String> tooWide =
        SlotCheck.tooWide(
            plan.pipeline(),
            selected.stream()
                .filter(j -> j.mode() == PlannedJob.Mode.STREAMING)
                .map(PlannedJob::name)
                .toList(),
            SlotCheck.parallelism(launcher.settings()),
            launcher.executor().clusterSlots());
    if (tooWide.isPresent()) { // see SlotCheck
      return new UpdateScope.Ended(
          UpdateState.FAILED,
          SlotCheck.failAll(selected, tooWide.get(), scope.listener()),
          tooWide);
    }
    // jobs side by side tell the listener from their own threads: one at a time, as a sequence
    // would
    UpdateListener shared = scope.listener();
    UpdateListener serial =
        new UpdateListener() {
          @Override
          public synchronized void onFlow(String dataset, FlowState state, String detail) {
            shared.onFlow(dataset, state, detail);
          }

          @Override
          public synchronized void onRows(String dataset, long rows) {
            shared.onRows(dataset, rows);
          }

          @Override
          public synchronized void onNotice(String message) {
            shared.onNotice(message);
          }
        };
    UpdateScope serialScope =
        new UpdateScope(
            scope.updateId(),
            scope.number(),
            scope.generations(),
            scope.selected(),
            serial,
            scope.stopRequest());
    List<String> order = plan.jobNames();
    int capacity = launcher.sideBySide();
    Map<String, Finished> ended = new HashMap<>();
    Set<String> failedJobs = new HashSet<>();
    List<String> waiting = new ArrayList<>(order);
    ExecutorService threads =
        Executors.newFixedThreadPool(
            Math.min(capacity, Math.max(1, order.size())),
            runnable -> {
              Thread thread = new Thread(runnable, "tributary-job-" + scope.number());
              thread.setDaemon(true);
              return thread;
            });
    CompletionService<Finished> running = new ExecutorCompletionService<>(threads);
    int runningJobs = 0;
    UpdatePlan current = plan;
    try {
      while (!waiting.isEmpty() || runningJobs > 0) {
        // start, in the plan's order, each job whose upstream jobs ended, while slots are free
        boolean changed = true;
        while (changed) {
          changed = false;
          for (String name : List.copyOf(waiting)) {
            PlannedJob job = current.job(name);
            if (!ended
                .keySet()
                .containsAll(job.upstreamJobs().stream().filter(order::contains).toList())) {
              continue;
            }
            List<FlowResult> notRunResults = new ArrayList<>();
            Optional<NotRun> notRun = notRun(current, job, serialScope, failedJobs, notRunResults);
            if (notRun.isPresent()) {
              waiting.remove(name);
              ended.put(
                  name,
                  new Finished(
                      name,
                      notRunResults,
                      notRun.get() == NotRun.SKIPPED,
                      notRun.get() == NotRun.STOPPED,
                      Optional.empty(),
                      current,
                      current));
              changed = true;
              continue;
            }
            if (runningJobs >= capacity) {
              break; // the plan's order: no later job overtakes one waiting for slots
            }
            waiting.remove(name);
            UpdatePlan startWith = current;
            running.submit(() -> runOne(startWith, job, serialScope));
            runningJobs++;
          }
        }
        if (runningJobs == 0) {
          if (waiting.isEmpty()) {
            break;
          }
          throw new IllegalStateException(
              "jobs " + waiting + " wait for jobs that never run; ended: " + ended.keySet());
        }
        Finished finished = take(running, scope);
        runningJobs--;
        ended.put(finished.job(), finished);
        if (finished.failed()) {
          failedJobs.add(finished.job());
        }
        if (finished.plan() != finished.startedWith()) {
          current =
              finished
                  .plan(); // analyzed again after new columns: the jobs started from now on use it
        }
      }
    } finally {
      threads.shutdownNow();
    }
    List<FlowResult> results = new ArrayList<>();
    Optional<String> firstError = Optional.empty();
    boolean stopped = false;
    for (String name : order) {
      Finished finished = ended.get(name);
      results.addAll(finished.results());
      stopped |= finished.stopped();
      firstError = firstError.or(finished::error);
    }
    UpdateState state =
        !failedJobs.isEmpty()
            ? UpdateState.FAILED
            : stopped ? UpdateState.STOPPED : UpdateState.COMPLETED;
    return new UpdateScope.Ended(state, results, firstError);
  }

  /** The next job to end; if this thread is interrupted, or a job's thread failed, the running jobs are cancelled. */
  private static Finished take(CompletionService<Finished> running, UpdateScope scope) {
    try {
      return running.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("update " + scope.updateId() + " was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Runs one job that is to run, on its own thread, and reports how it ended. */
  private Finished runOne(UpdatePlan plan, PlannedJob job, UpdateScope scope) {
    UpdateListener listener = scope.listener();
    String name = job.name();
    String onceTarget = onceTarget(plan, job);
    List<FlowResult> results = new ArrayList<>();
    try {
      job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
      Ran ran = runEvolvingSchemas(plan, name, scope);
      if (job.once() && ran.caughtUp()) {
        onceFlows.done(job, scope.generations(), onceTarget);
      }
      FlowState end = ran.caughtUp() ? FlowState.COMPLETED : FlowState.STOPPED;
      for (String dataset : job.datasets()) {
        listener.onFlow(
            dataset, end, ran.caughtUp() ? "" : "stopped with a savepoint before catching up");
        results.add(new FlowResult(dataset, job.name(), end, Optional.empty()));
      }
      return new Finished(
          name, results, false, !ran.caughtUp(), Optional.empty(), plan, ran.plan());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("update " + scope.updateId() + " was interrupted", e);
    } catch (RuntimeException e) {
      String error = JobErrors.rootMessage(e);
      for (String dataset : job.datasets()) {
        listener.onFlow(dataset, FlowState.FAILED, error);
        results.add(new FlowResult(dataset, job.name(), FlowState.FAILED, Optional.of(error)));
      }
      return new Finished(name, results, true, false, Optional.of(error), plan, plan);
    }
  }

  /** Why a job does not run in an update. */
  private enum NotRun {
    /** Not selected, or a once flow that ran already. */
    EXCLUDED,
    /** A stop was asked for before it started. */
    STOPPED,
    /** An upstream job failed. */
    SKIPPED
  }

  /** Why {@code job} does not run in this update, once its flows are reported; empty if it runs. */
  private Optional<NotRun> notRun(
      UpdatePlan plan,
      PlannedJob job,
      UpdateScope scope,
      Set<String> failedJobs,
      List<FlowResult> results) {
    if (!scope.selected().runJobs().contains(job.name())) {
      report(
          job,
          FlowState.EXCLUDED,
          "not selected for this update; its data is kept",
          Optional.empty(),
          scope,
          results);
      return Optional.of(NotRun.EXCLUDED);
    }
    if (scope.stopRequest().isDone()) {
      report(
          job,
          FlowState.STOPPED,
          "the update was stopped before this flow started",
          Optional.empty(),
          scope,
          results);
      return Optional.of(NotRun.STOPPED);
    }
    Optional<String> failedUpstream =
        job.upstreamJobs().stream().filter(failedJobs::contains).findFirst();
    if (failedUpstream.isPresent()) {
      failedJobs.add(job.name());
      String why = "an upstream flow failed (job " + failedUpstream.get() + ")";
      report(job, FlowState.SKIPPED, why, Optional.of(why), scope, results);
      return Optional.of(NotRun.SKIPPED);
    }
    String onceTarget = onceTarget(plan, job);
    if (job.once() && !onceFlows.pending(job, scope.generations(), onceTarget)) {
      String why =
          "a once flow; it ran for this table already and runs again after a full refresh of "
              + onceTarget;
      report(job, FlowState.EXCLUDED, why, Optional.empty(), scope, results);
      return Optional.of(NotRun.EXCLUDED);
    }
    return Optional.empty();
  }

  private static void report(
      PlannedJob job,
      FlowState state,
      String detail,
      Optional<String> error,
      UpdateScope scope,
      List<FlowResult> results) {
    for (String dataset : job.datasets()) {
      scope.listener().onFlow(dataset, state, detail);
      results.add(new FlowResult(dataset, job.name(), state, error));
    }
  }

  private static String onceTarget(UpdatePlan plan, PlannedJob job) {
    return job.once()
        ? plan.resolved()
            .plan()
            .appendFlow(job.datasets().get(0))
            .orElseThrow()
            .target()
            .orElseThrow()
        : "";
  }

  /** How a job's run ended: whether it caught up, and the plan the update goes on with. */
  private record Ran(boolean caughtUp, UpdatePlan plan) {}

  /**
   * Runs one job with its retries; when an Auto Loader source stored an evolved schema and stopped it,
   * runs it again from the newest checkpoint of the stopped run with the plan {@link SchemaRestarts}
   * analyzed again.
   */
  private Ran runEvolvingSchemas(UpdatePlan plan, String jobName, UpdateScope scope)
      throws InterruptedException {
    UpdatePlan current = plan;
    for (int restart = 0; ; restart++) {
      UpdatePlan running = current;
      JobContext context =
          new JobContext(
              running.pipeline(),
              running.job(jobName),
              restart == 0 ? scope.updateId() : scope.updateId() + "#schema" + restart,
              scope.number(),
              scope.generations());
      try {
        boolean caughtUp =
            retries.run(
                context,
                attempt -> runJob(running, attempt, scope.listener(), scope.stopRequest()),
                scope.listener(),
                scope.stopRequest());
        return new Ran(caughtUp, running);
      } catch (RuntimeException e) {
        current =
            schemaRestarts
                .restart(
                    running, jobName, e, restart, scope.listener(), scope.stopRequest().isDone())
                .plan();
      }
    }
  }

  /** Runs one job; returns false if a stop request ended a streaming job before it caught up. */
  private boolean runJob(
      UpdatePlan plan,
      JobContext context,
      UpdateListener listener,
      CompletableFuture<Void> stopRequest)
      throws InterruptedException {
    JobLauncher.Launched launched = launcher.launch(plan, context);
    try {
      context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.RUNNING, ""));
      if (context.job().mode() == PlannedJob.Mode.BATCH) {
        launcher.awaitSuccess(launched);
        return true;
      }
      JobLauncher.await(
          CompletableFuture.anyOf(launched.caughtUp(), launched.result(), stopRequest)
              .handle((ignored, error) -> null));
      if (launched.result().isDone()) {
        launcher.awaitSuccess(launched);
        throw new IllegalStateException(
            "job " + context.job().name() + " finished before its sources caught up");
      }
      boolean caughtUp = launched.caughtUp().isDone();
      launcher.stopKeepingState(launched);
      return caughtUp;
    } finally {
      launcher.cancelIfRunning(launched);
    }
  }
}
