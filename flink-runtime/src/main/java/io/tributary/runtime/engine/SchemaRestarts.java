package io.tributary.runtime.engine;

import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.source.SchemaEvolvedException;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.table.types.logical.RowType;

/**
 * Whether a job that ended with a failure restarts within the update, the one rule of triggered and
 * continuous updates. Only a flow stopped for new columns ({@link SchemaEvolvedException}) restarts,
 * and only in production mode, at most {@link #MAX_SCHEMA_RESTARTS} times per job and update: the flow
 * is logged FAILED for the columns and STARTING again, as Delta Live Tables restarts the flow, and the
 * pipeline is analyzed again (the source's row type now has the new columns, and so do the tables
 * derived from it). Development mode, or a triggered update asked to stop, ends the flow with a
 * message naming the columns; the next update reads them. Any other failure is thrown as it is.
 */
final class SchemaRestarts {

  /** Restarts of one flow for new columns within an update, so a source that keeps evolving cannot loop. */
  static final int MAX_SCHEMA_RESTARTS = 10;

  private final boolean development;
  private final Supplier<ResolvedPlan> reanalyze;

  /**
   * @param reanalyze analyzes the pipeline again; the stored schemas then have the new columns
   */
  SchemaRestarts(boolean development, Supplier<ResolvedPlan> reanalyze) {
    this.development = development;
    this.reanalyze = reanalyze;
  }

  /**
   * The plan to run on after a restart, and the jobs whose row types it changed, in dependency order
   * (see {@link #changedJobs}).
   */
  record Restart(UpdatePlan plan, List<String> changedJobs) {}

  /**
   * Decides on {@code failure} of job {@code jobName}: returns the new plan to restart with, or throws
   * {@code failure} itself or a {@link SchemaEvolvedStop}.
   *
   * @param restarts how often this job restarted for new columns in this update so far
   * @param stopping whether a triggered update was asked to stop
   */
  Restart restart(
      UpdatePlan current,
      String jobName,
      RuntimeException failure,
      int restarts,
      UpdateListener listener,
      boolean stopping) {
    Optional<Throwable> found = SchemaEvolvedException.find(failure);
    if (found.isEmpty()) {
      throw failure;
    }
    PlannedJob job = current.job(jobName);
    String evolved = describeEvolution(job, found.get());
    if (development || stopping) {
      throw new SchemaEvolvedStop(
          evolved
              + " The flow stopped; the next update reads the file again with the"
              + " new columns: run the pipeline again. (In production mode, development: false, the flow restarts"
              + " with them within the update.)");
    }
    if (restarts >= MAX_SCHEMA_RESTARTS) {
      throw new SchemaEvolvedStop(
          evolved
              + " The flow was already restarted "
              + restarts
              + " times for new"
              + " columns in this update; run the pipeline again to continue.");
    }
    job.datasets()
        .forEach(
            d ->
                listener.onFlow(
                    d,
                    FlowState.FAILED,
                    evolved + " Restarting the flow with" + " the evolved schema."));
    UpdatePlan again = UpdatePlan.of(reanalyze.get());
    if (!again.jobNames().equals(current.jobNames())) {
      throw new IllegalStateException(
          "analyzed again after new columns in job "
              + jobName
              + ", the pipeline's"
              + " jobs changed from "
              + current.jobNames()
              + " to "
              + again.jobNames());
    }
    List<String> changed = changedJobs(current, again);
    job.datasets()
        .forEach(d -> listener.onFlow(d, FlowState.STARTING, "restart with the evolved schema"));
    return new Restart(again, changed);
  }

  /** Which flow met which columns where, from the exception (or its message, if it came serialized). */
  private static String describeEvolution(PlannedJob job, Throwable found) {
    if (found instanceof SchemaEvolvedException evolved) {
      String flow =
          job.datasets().stream()
              .filter(d -> evolved.sourceId().startsWith(d + "-source"))
              .findFirst()
              .orElse(String.join(", ", job.datasets()));
      return "Flow '"
          + flow
          + "': Auto Loader found new columns "
          + evolved.newColumns()
          + " in file "
          + evolved.file()
          + " and added them to the schema stored under '"
          + evolved.schemaLocation()
          + "'.";
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

  /** As {@link #changedJobs(UpdatePlan, UpdatePlan)}, planning both analyses' jobs. */
  static List<String> changedJobs(ResolvedPlan before, ResolvedPlan after) {
    return changedJobs(UpdatePlan.of(before), UpdatePlan.of(after));
  }

  /**
   * The jobs, in dependency order, whose row types ({@link #rowTypes}) differ between two analyses of
   * a pipeline whose jobs kept their names: those to restart so they run what the new one analyzed.
   */
  static List<String> changedJobs(UpdatePlan before, UpdatePlan after) {
    Map<String, PlannedJob> jobsBefore = new HashMap<>();
    before.jobs().forEach(job -> jobsBefore.put(job.name(), job));
    return after.jobs().stream()
        .filter(
            job ->
                !rowTypes(before.resolved(), jobsBefore.get(job.name()))
                    .equals(rowTypes(after.resolved(), job)))
        .map(PlannedJob::name)
        .toList();
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
}
