package io.tributary.runtime.engine;

import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.remote.ContextExecutor;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An update ready to run: its pipeline analyzed once, the pipeline's lock held, the tables it refreshes
 * in full reset and Auto Loader's inferred schemas stored. Nothing is written before the lock is held,
 * and a failure on the way releases what was taken (the lock, and the update's own cluster when it was
 * starting early).
 *
 * @param plan the plan the update runs
 * @param settings the pipeline's {@code pipelines.*} settings, parsed
 * @param context Flink's context environment as the executor, when the update runs as a Flink program
 * @param selected the jobs the update runs and those it refreshes in full
 * @param lock the pipeline's lock, the caller's to close when the update ends
 * @param analyzeStoring analyzes the pipeline again, storing inferred schemas (a flow restarting for new
 *     columns)
 */
public record PreparedUpdate(
    UpdatePlan plan,
    PipelineSettings settings,
    Optional<ContextExecutor> context,
    RefreshSelection.Resolved selected,
    PipelineLock lock,
    Supplier<ResolvedPlan> analyzeStoring) {

  /**
   * Prepares an update of pipeline {@code name}.
   *
   * @param analyses wraps each analysis (tests count them)
   * @param inMode the plan as the update's mode runs it (a continuous update recomputes the incremental tables a stream looks up)
   * @param inContext whether the update runs as the main of a Flink program
   * @param early the update's own cluster, starting while the pipeline is analyzed; closed on a failure
   */
  public static PreparedUpdate prepare(
      String name,
      Map<String, String> configuration,
      LogicalPlan logical,
      PipelineStorage storage,
      RefreshSelection selection,
      UnaryOperator<Function<LogicalPlan, ResolvedPlan>> analyses,
      UnaryOperator<ResolvedPlan> inMode,
      boolean inContext,
      Optional<CompletableFuture<EmbeddedExecutor>> early) {
    // the one analysis of the update: it writes nothing before the update holds the lock
    DeferredSchemas schemas = new DeferredSchemas(storage);
    UpdatePlan checked;
    PipelineSettings settings;
    Optional<ContextExecutor> context;
    List<PlannedJob> jobs;
    RefreshSelection.Resolved selected;
    PipelineLock lock;
    try {
      checked =
          UpdatePlan.of(
              inMode.apply(
                  analyses
                      .apply(ProductionRuntime.analyzer(schemas, storage, logical)::analyze)
                      .apply(logical)));
      // checked by the analysis with the other problems: it cannot fail here
      settings = PipelineSettings.of(name, configuration);
      // the main of a Flink program (flink run, an application cluster): its jobs go through
      // Flink's context environment; a context an update cannot run in is refused before anything
      // runs
      context =
          inContext ? ContextExecutor.ofContext(settings.caughtUpTimeout()) : Optional.empty();
      jobs = checked.jobs();
      selected = selection.resolve(checked.resolved().plan(), jobs);
      lock = PipelineLock.acquire(storage, name, settings.lease(), Clock.systemUTC());
    } catch (RuntimeException | Error e) {
      early.ifPresent(OwnCluster::closeWhenStarted);
      throw e;
    }
    Supplier<ResolvedPlan> analyzeStoring =
        () ->
            inMode.apply(
                analyses
                    .apply(ProductionRuntime.analyzer(storage, true, logical)::analyze)
                    .apply(logical));
    try {
      UpdateRunner.reset(storage, jobs, selected);
      // now that the update owns the storage, Auto Loader's inferred schemas are stored; the
      // pipeline is analyzed again only for tables just reset (inferred afresh) or a schema changed
      // meanwhile
      boolean unchanged = selected.resetJobs().isEmpty() && schemas.store();
      UpdatePlan plan = unchanged ? checked : UpdatePlan.of(analyzeStoring.get());
      storage.clearStopRequest();
      return new PreparedUpdate(plan, settings, context, selected, lock, analyzeStoring);
    } catch (RuntimeException e) {
      early.ifPresent(OwnCluster::closeWhenStarted);
      try {
        lock.close();
      } catch (
          RuntimeException
              closing) { // storage that refuses writes refuses this too: keep the first error
        e.addSuppressed(closing);
      }
      throw e;
    }
  }
}
