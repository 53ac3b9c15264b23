package io.tributary.runtime.engine;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.analysis.Refresh;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.eventlog.Redaction;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobIo;
import io.tributary.runtime.translate.JobTranslator;
import io.tributary.runtime.translate.PlannedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs one update of a pipeline: numbers it and keeps its record ({@link UpdateRecord}), logs it
 * ({@link UpdateEventLog}), reports live row counts, and hands its {@link UpdatePlan} to a
 * {@link TriggeredUpdate} or a {@link ContinuousUpdate}; a COMPLETED update then runs the table
 * maintenance its settings ask for ({@link RunSettings#maintenance()}). Jobs run on a
 * {@link JobExecutor}: the engine knows nothing else of the cluster.
 */
public final class UpdateRunner {

  /** How often a running update tells its listener the rows each flow has written. */
  private static final Duration ROWS_REPORT = Duration.ofSeconds(1);

  private final PipelineStorage storage;
  private final RunSettings settings;
  private final JobLauncher launcher;

  public UpdateRunner(
      JobExecutor executor,
      PipelineStorage storage,
      JobIo io,
      JobTranslator.FlowStages stages,
      RunSettings settings) {
    this.storage = storage;
    this.settings = settings;
    this.launcher = new JobLauncher(executor, storage, io, stages, settings);
  }

  /**
   * Clears what a selection fully refreshes: each reset job's tables, schema locations, state
   * generations and state. Done before the plan is analyzed for the update, so Auto Loader infers
   * its schema afresh.
   */
  public static void reset(
      PipelineStorage storage, List<PlannedJob> jobs, RefreshSelection.Resolved selected) {
    for (PlannedJob job : jobs) {
      if (selected.resetJobs().contains(job.name())) {
        job.datasets().forEach(storage::resetDataset);
        job.flows()
            .forEach(storage::resetDataset); // an append flow's schema location and generation
        storage.clearState(job.name());
      }
    }
  }

  /**
   * Runs an update of {@code plan}'s jobs that {@code selected} runs (the others' flows are EXCLUDED;
   * resets were applied by {@link #reset}), stopping gracefully once {@code stopRequest} completes:
   * a running streaming job is stopped with a savepoint (its epoch commits, its state and positions
   * are kept), later jobs do not start, and the update ends STOPPED. {@code reanalyze} analyzes the
   * pipeline again, for a flow that restarts within the update after an Auto Loader source evolved
   * its schema (production mode); nothing else analyzes it again.
   */
  public UpdateResult run(
      UpdatePlan plan,
      Supplier<ResolvedPlan> reanalyze,
      RefreshSelection.Resolved selected,
      UpdateListener listener,
      CompletableFuture<Void> stopRequest) {
    String updateId = UUID.randomUUID().toString();
    // the errors the record and the event log quote (Flink's, Hadoop's) may hold a setting's value
    Redaction redaction =
        Redaction.of(
            storage.settings().entries(),
            settings.flinkOptions(),
            plan.resolved().plan().configuration());
    UpdateRecord record =
        UpdateRecord.reserve(storage, plan.pipeline(), updateId, Instant.now(), redaction);
    UpdateEventLog events =
        UpdateEventLog.begin(
            storage,
            plan.resolved().plan(),
            updateId,
            record.number(),
            !selected.resetJobs().isEmpty(),
            redaction);
    events.notices().forEach(listener::onNotice);
    stopRequest.thenRun(() -> events.userAction("STOP"));
    events.updateProgress(UpdateState.RUNNING, Optional.empty());
    logRefreshes(plan, selected, events);
    try {
      // a killed --cluster client's jobs run on: stopped before this update starts its own
      try {
        LeftRunningJobs.stopAll(storage, record.number(), events, listener);
      } catch (JobFailedException e) {
        // nothing ran: the update ends FAILED, and its record says so (not "ended without closing")
        UpdateResult failed =
            new UpdateResult(
                plan.pipeline(),
                updateId,
                record.number(),
                UpdateState.FAILED,
                List.of(),
                Optional.of(e.getMessage()),
                Duration.between(record.start(), Instant.now()));
        keep(failed, () -> record.write(failed));
        keep(failed, () -> events.end(failed));
        return failed;
      }
      launcher.recordJobsIn(record);
      UpdateResult result;
      try (RowsWatcher rows = RowsWatcher.start(launcher::rowsWritten, listener, ROWS_REPORT)) {
        UpdateScope scope =
            new UpdateScope(
                updateId,
                record.number(),
                generations(plan.resolved().plan()),
                selected,
                events.listener(listener),
                stopRequest);
        result = runFlows(plan, reanalyze, scope, record);
      }
      if (result.state() == UpdateState.COMPLETED) {
        settings.maintenance().run(storage, plan.resolved().plan(), result, events);
      }
      keep(result, () -> events.end(result));
      return result;
    } catch (RuntimeException e) {
      try {
        events.failed(e);
      } catch (
          RuntimeException
              notLogged) { // storage that refuses writes: the failure stays the message
        e.addSuppressed(notLogged);
      }
      throw e;
    }
  }

  private UpdateResult runFlows(
      UpdatePlan plan, Supplier<ResolvedPlan> reanalyze, UpdateScope scope, UpdateRecord record) {
    plan.jobs()
        .forEach(
            j ->
                j.datasets()
                    .forEach(
                        d ->
                            scope
                                .listener()
                                .onFlow(
                                    d,
                                    FlowState.QUEUED,
                                    scope.selected().notes().getOrDefault(d, ""))));
    SchemaRestarts schemaRestarts = new SchemaRestarts(settings.development(), reanalyze);
    UpdateScope.Ended ended =
        settings.continuous()
            ? new ContinuousUpdate(
                    launcher, schemaRestarts, storage, settings.checkpointInterval(), plan, scope)
                .run()
            : new TriggeredUpdate(
                    launcher, new FlowRetries(settings), schemaRestarts, new OnceFlows(storage))
                .run(plan, scope);
    UpdateResult result =
        new UpdateResult(
            plan.pipeline(),
            scope.updateId(),
            record.number(),
            ended.state(),
            ended.flows(),
            ended.error(),
            Duration.between(record.start(), Instant.now()));
    keep(result, () -> record.write(result));
    return result;
  }

  /**
   * Writes how the update ended ({@code write}: its record, its events); when the storage refuses it,
   * the update fails with how it ended as the message, and the refusal as the cause, never with the
   * refusal alone.
   */
  private static void keep(UpdateResult result, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException notWritten) {
      throw UpdateRecord.notWritten(result, notWritten);
    }
  }

  /**
   * One {@code planning_information} event per materialized table the update runs: how it is refreshed
   * and why. An incremental table without state to continue from recomputes this once.
   */
  private void logRefreshes(
      UpdatePlan plan, RefreshSelection.Resolved selected, UpdateEventLog events) {
    for (PlannedJob job : plan.jobs()) {
      if (!selected.runJobs().contains(job.name())) {
        continue;
      }
      for (String name : job.datasets()) {
        if (plan.resolved()
            .plan()
            .dataset(name)
            .filter(d -> d.kind() == DatasetKind.MATERIALIZED_TABLE)
            .isEmpty()) {
          continue;
        }
        Refresh refresh = plan.resolved().refresh(name);
        Optional<String> recompute =
            IncrementalRefresh.incremental(plan, job)
                ? IncrementalRefresh.whyRecompute(storage, plan, job, settings.flinkOptions())
                : Optional.of(refresh.reason());
        events.planningInformation(
            name,
            (recompute.isPresent()
                    ? Refresh.Technique.COMPLETE_RECOMPUTE
                    : Refresh.Technique.INCREMENTAL)
                .name(),
            recompute.orElse(refresh.reason()));
      }
    }
  }

  /** Each persisted dataset's, quarantine table's and append flow's state generation. */
  private Map<String, String> generations(LogicalPlan plan) {
    List<DatasetSpec> persisted =
        plan.datasets().stream().filter(d -> d.kind().isPersisted()).toList();
    Map<String, String> generations = new LinkedHashMap<>();
    persisted.forEach(d -> generations.put(d.name(), storage.generation(d.name())));
    persisted.stream()
        .filter(DatasetSpec::quarantine)
        .forEach(
            d -> generations.put(d.quarantineTable(), storage.generation(d.quarantineTable())));
    plan.appendFlows().forEach(f -> generations.put(f.name(), storage.generation(f.name())));
    return generations;
  }
}
