package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.translate.JobContext;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A triggered update: the plan's jobs in dependency order. A STREAMING job restores the state its
 * previous run left, runs until every source has caught up with what was there at the update's start,
 * and is stopped with a savepoint, which commits its last epoch. A BATCH job recomputes a materialized
 * table. A failed job's downstream jobs are SKIPPED; independent jobs still run. A job is retried as
 * {@link FlowRetries} says and restarted for new columns as {@link SchemaRestarts} says; a restart
 * analyzes the pipeline again, and the jobs after it run with that plan (earlier ones do not read the
 * restarted one).
 */
final class TriggeredUpdate {

  private final JobLauncher launcher;
  private final FlowRetries retries;
  private final SchemaRestarts schemaRestarts;
  private final OnceFlows onceFlows;

  TriggeredUpdate(JobLauncher launcher, FlowRetries retries, SchemaRestarts schemaRestarts, OnceFlows onceFlows) {
    this.launcher = launcher;
    this.retries = retries;
    this.schemaRestarts = schemaRestarts;
    this.onceFlows = onceFlows;
  }

  UpdateScope.Ended run(UpdatePlan plan, UpdateScope scope) {
    UpdateListener listener = scope.listener();
    List<FlowResult> results = new ArrayList<>();
    Set<String> failedJobs = new HashSet<>();
    boolean stopped = false;
    Optional<String> firstError = Optional.empty();
    UpdatePlan current = plan;
    for (String name : plan.jobNames()) {
      PlannedJob job = current.job(name);
      Optional<NotRun> notRun = notRun(current, job, scope, failedJobs, results);
      if (notRun.isPresent()) {
        stopped |= notRun.get() == NotRun.STOPPED;
        continue;
      }
      String onceTarget = onceTarget(current, job);
      try {
        job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
        Ran ran = runEvolvingSchemas(current, name, scope);
        current = ran.plan();
        if (job.once() && ran.caughtUp()) {
          onceFlows.done(job, scope.generations(), onceTarget);
        }
        FlowState end = ran.caughtUp() ? FlowState.COMPLETED : FlowState.STOPPED;
        stopped |= !ran.caughtUp();
        for (String dataset : job.datasets()) {
          listener.onFlow(dataset, end, ran.caughtUp() ? "" : "stopped with a savepoint before catching up");
          results.add(new FlowResult(dataset, job.name(), end, Optional.empty()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("update " + scope.updateId() + " was interrupted", e);
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
    return new UpdateScope.Ended(state, results, firstError);
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
  private Optional<NotRun> notRun(UpdatePlan plan, PlannedJob job, UpdateScope scope, Set<String> failedJobs,
      List<FlowResult> results) {
    if (!scope.selected().runJobs().contains(job.name())) {
      report(job, FlowState.EXCLUDED, "not selected for this update; its data is kept", Optional.empty(), scope,
          results);
      return Optional.of(NotRun.EXCLUDED);
    }
    if (scope.stopRequest().isDone()) {
      report(job, FlowState.STOPPED, "the update was stopped before this flow started", Optional.empty(), scope,
          results);
      return Optional.of(NotRun.STOPPED);
    }
    Optional<String> failedUpstream = job.upstreamJobs().stream().filter(failedJobs::contains).findFirst();
    if (failedUpstream.isPresent()) {
      failedJobs.add(job.name());
      String why = "an upstream flow failed (job " + failedUpstream.get() + ")";
      report(job, FlowState.SKIPPED, why, Optional.of(why), scope, results);
      return Optional.of(NotRun.SKIPPED);
    }
    String onceTarget = onceTarget(plan, job);
    if (job.once() && !onceFlows.pending(job, scope.generations(), onceTarget)) {
      String why = "a once flow; it ran for this table already and runs again after a full refresh of "
          + onceTarget;
      report(job, FlowState.EXCLUDED, why, Optional.empty(), scope, results);
      return Optional.of(NotRun.EXCLUDED);
    }
    return Optional.empty();
  }

  private static void report(PlannedJob job, FlowState state, String detail, Optional<String> error,
      UpdateScope scope, List<FlowResult> results) {
    for (String dataset : job.datasets()) {
      scope.listener().onFlow(dataset, state, detail);
      results.add(new FlowResult(dataset, job.name(), state, error));
    }
  }

  private static String onceTarget(UpdatePlan plan, PlannedJob job) {
    return job.once() ? plan.resolved().plan().appendFlow(job.datasets().get(0)).orElseThrow().target()
        .orElseThrow() : "";
  }

  /** How a job's run ended: whether it caught up, and the plan the update goes on with. */
  private record Ran(boolean caughtUp, UpdatePlan plan) {}

  /**
   * Runs one job with its retries; when an Auto Loader source stored an evolved schema and stopped it,
   * runs it again from the newest checkpoint of the stopped run with the plan {@link SchemaRestarts}
   * analyzed again.
   */
  private Ran runEvolvingSchemas(UpdatePlan plan, String jobName, UpdateScope scope) throws InterruptedException {
    UpdatePlan current = plan;
    for (int restart = 0; ; restart++) {
      UpdatePlan running = current;
      JobContext context = new JobContext(running.pipeline(), running.job(jobName),
          restart == 0 ? scope.updateId() : scope.updateId() + "#schema" + restart, scope.number(),
          scope.generations());
      try {
        boolean caughtUp = retries.run(context, attempt -> runJob(running, attempt, scope.listener(),
            scope.stopRequest()), scope.listener(), scope.stopRequest());
        return new Ran(caughtUp, running);
      } catch (RuntimeException e) {
        current = schemaRestarts.restart(running, jobName, e, restart, scope.listener(),
            scope.stopRequest().isDone()).plan();
      }
    }
  }

  /** Runs one job; returns false if a stop request ended a streaming job before it caught up. */
  private boolean runJob(UpdatePlan plan, JobContext context, UpdateListener listener,
      CompletableFuture<Void> stopRequest) throws InterruptedException {
    JobLauncher.Launched launched = launcher.launch(plan, context);
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
}
