package io.tributary.runtime.engine;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.runtime.delta.read.DeltaTableHistory;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When an incremental materialized table (a STREAMING job of a materialized table, see
 * {@link io.tributary.runtime.translate.JobPlanner#plan(io.tributary.runtime.analysis.ResolvedPlan)})
 * starts over: with no saved state to continue from (its first incremental update, a full refresh,
 * a crash before its first savepoint), with state saved by another definition, or when an input's
 * table changed in a way a stream of its appends cannot carry (refreshed in full, so created again
 * under a new Delta table id with its versions numbered from 0; rows deleted or rewritten). It then
 * drops its state and its table, and its query runs as a stream over every row of its inputs: a
 * complete recompute, after which the next updates are incremental again.
 *
 * <p>Its state's stream positions are versions of its inputs' tables. Each launch records, beside the
 * state ({@code PipelineStorage.readInputs}), each input's table id and latest version, after checking
 * that every commit since the recorded version only appended: the positions in any state the job can
 * restore then point into the recorded tables at or after the recorded versions.
 */
final class IncrementalRefresh {

  /** How the record of inputs writes an input that had no table yet. */
  private static final String NO_TABLE = "-";

  private IncrementalRefresh() {}

  /** Whether {@code job} maintains a materialized table incrementally. */
  static boolean incremental(UpdatePlan plan, PlannedJob job) {
    return job.mode() == PlannedJob.Mode.STREAMING
        && !job.once()
        && job.datasets().size() == 1
        && plan.resolved()
            .plan()
            .dataset(job.datasets().get(0))
            .map(d -> d.kind() == DatasetKind.MATERIALIZED_TABLE)
            .orElse(false);
  }

  /** Why incremental {@code job} must recompute its table in this update, if it must. */
  static Optional<String> whyRecompute(
      PipelineStorage storage, UpdatePlan plan, PlannedJob job, Map<String, String> flinkOptions) {
    if (storage.stateToRestore(job.name()).isEmpty()) {
      return Optional.of(
          "it has no saved state to continue from (its first incremental update, or a full"
              + " refresh): its query runs over every row of its inputs and replaces the table");
    }
    Optional<String> saved = storage.stateFingerprint(job.name());
    if (saved.isEmpty()) {
      return Optional.of(
          "its last run ended before saving its state: its query runs over every row of its"
              + " inputs and replaces the table");
    }
    StateFingerprint now = StateFingerprint.of(plan.resolved(), job, flinkOptions);
    Optional<String> aggregation =
        now.aggregationDifferenceFrom(
            StateFingerprint.saved(saved.get(), plan.resolved(), flinkOptions));
    if (aggregation.isPresent()) {
      return Optional.of(
          "its state was kept by another aggregation plan ("
              + aggregation.get()
              + "), which"
              + " Flink cannot restore into this one: its state is dropped and its query runs over every row of its"
              + " inputs and replaces the table");
    }
    Optional<String> changed =
        now.differenceFrom(StateFingerprint.saved(saved.get(), plan.resolved(), flinkOptions))
            .map(
                difference ->
                    "its definition changed ("
                        + difference
                        + "): its state is dropped and its query"
                        + " runs over every row of its inputs and replaces the table");
    return changed.isPresent() ? changed : inputChanged(storage, plan, job);
  }

  /** Which input's table changed since the job's state read it, other than by appends, and how. */
  private static Optional<String> inputChanged(
      PipelineStorage storage, UpdatePlan plan, PlannedJob job) {
    Optional<String> saved = storage.readInputs(job.name());
    if (saved.isEmpty()) {
      return Optional.of(
          "its saved state does not record which tables and versions of its inputs it read: its"
              + " state is dropped and its query runs over every row of its inputs and replaces the table");
    }
    Map<String, String> read = parseInputs(saved.get());
    for (String input : inputs(plan, job)) {
      String position = read.get(input);
      Optional<String> why;
      if (position == null) {
        why = Optional.of("was not read by its saved state");
      } else if (position.equals(NO_TABLE)) {
        why =
            DeltaTableHistory.latest(storage.settings(), storage.tablePath(input))
                .map(now -> "had no table when its state started and has one now");
      } else {
        int tab = position.indexOf('\t');
        why =
            DeltaTableHistory.changedSince(
                storage.settings(),
                storage.tablePath(input),
                new DeltaTableHistory.Position(
                    position.substring(0, tab), Long.parseLong(position.substring(tab + 1))));
      }
      if (why.isPresent()) {
        return Optional.of(
            "its input '"
                + input
                + "' "
                + why.get()
                + ", so the positions its state holds no"
                + " longer match that table: its state is dropped and its query runs over every row of its inputs"
                + " and replaces the table");
      }
    }
    return Optional.empty();
  }

  /** Each line "dataset TAB tableId TAB version" (or "dataset TAB -") as dataset to "tableId TAB version". */
  private static Map<String, String> parseInputs(String text) {
    Map<String, String> inputs = new LinkedHashMap<>();
    text.lines()
        .filter(line -> !line.isBlank())
        .forEach(
            line -> {
              int tab = line.indexOf('\t');
              if (tab > 0) {
                inputs.put(line.substring(0, tab), line.substring(tab + 1).strip());
              }
            });
    return inputs;
  }

  /** Records each input's table id and latest version beside {@code job}'s state (see the class comment). */
  static void recordInputs(PipelineStorage storage, UpdatePlan plan, PlannedJob job) {
    StringBuilder text = new StringBuilder();
    for (String input : inputs(plan, job)) {
      text.append(input)
          .append('\t')
          .append(
              DeltaTableHistory.latest(storage.settings(), storage.tablePath(input))
                  .map(p -> p.tableId() + "\t" + p.version())
                  .orElse(NO_TABLE))
          .append('\n');
    }
    storage.setReadInputs(job.name(), text.toString());
  }

  /** The persisted datasets {@code job}'s materialized tables read as streams of new rows, views looked through. */
  static List<String> inputs(UpdatePlan plan, PlannedJob job) {
    Set<String> tables = new LinkedHashSet<>();
    job.datasets().forEach(dataset -> collectInputs(plan, dataset, tables, new LinkedHashSet<>()));
    return List.copyOf(tables);
  }

  private static void collectInputs(
      UpdatePlan plan, String reader, Set<String> tables, Set<String> seen) {
    for (Input input : plan.resolved().plan().inputsOf(reader)) {
      Optional<DatasetSpec> read = plan.resolved().plan().dataset(input.dataset());
      if (read.isEmpty() || !seen.add(input.dataset())) {
        continue;
      }
      if (read.get().kind() == DatasetKind.VIEW) {
        collectInputs(plan, input.dataset(), tables, seen);
      } else {
        tables.add(input.dataset());
      }
    }
  }

  /**
   * Drops the state an incremental run of materialized table {@code job} left, when {@code job} now
   * recomputes it (a BATCH job: a query outside the incremental scope, or the table property
   * {@code pipelines.incrementalRefresh=false}):
   * the table it writes is no longer the keyed table that state continued, so a later incremental
   * update must start over.
   */
  static void forgetIfRecomputed(PipelineStorage storage, UpdatePlan plan, PlannedJob job) {
    if (job.mode() == PlannedJob.Mode.BATCH
        && job.datasets().size() == 1
        && plan.resolved()
            .plan()
            .dataset(job.datasets().get(0))
            .map(d -> d.kind() == DatasetKind.MATERIALIZED_TABLE)
            .orElse(false)) {
      storage.clearState(job.name());
    }
  }

  /**
   * Drops {@code job}'s state and table if it must recompute them, then records the inputs' tables
   * and versions the run starts from; returns why it must recompute, if it must.
   */
  static Optional<String> startOverIfNeeded(
      PipelineStorage storage, UpdatePlan plan, PlannedJob job, Map<String, String> flinkOptions) {
    Optional<String> why = whyRecompute(storage, plan, job, flinkOptions);
    if (why.isPresent()) {
      storage.clearState(job.name());
      job.datasets().forEach(storage::clearTable);
    }
    recordInputs(storage, plan, job);
    return why;
  }
}
