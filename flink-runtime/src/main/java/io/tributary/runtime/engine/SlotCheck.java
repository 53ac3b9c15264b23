package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an update's jobs fit its cluster's slots, checked before it launches any. A triggered
 * update's streaming job needs its parallelism in slots at once (a BATCH job runs on fewer, stage by
 * stage); more than the cluster has at all never come, so the update fails at once ({@link
 * #tooWide}); fewer free than that only wait for other jobs' slots, as jobs side by side do.
 *
 * <p>A continuous update's jobs must fit at once. Its streaming jobs (an
 * incremental materialized table's included, launched once its inputs exist) run side by side until
 * stopped, each holding a slot per parallel task (a job's operators share slots, so its parallelism),
 * and a materialized table's recomputation (a BATCH job, one at a time) needs one slot more while they
 * run. A job that gets no slot waits for one and fails only after Flink's slot request timeout, so the
 * update checks before it launches any job, against the slots free on the cluster: those other jobs
 * hold are not free. When the executor cannot tell its slots, nothing is guessed: a warning says what
 * the update needs, and the update runs as before.
 *
 * <pre>{@code
 * Optional<String> error = SlotCheck.shortfall("medallion", jobs, false, executor.clusterSlots());
 * }</pre>
 */
final class SlotCheck {

  private static final Logger LOG = LoggerFactory.getLogger(SlotCheck.class);

  private SlotCheck() {}

  /**
   * The error that fails {@code pipeline}'s continuous update when its {@code streamingJobs} (name to
   * parallelism, in launch order) and, if {@code recomputes}, one slot for recomputations need more
   * slots than {@code slots} has free; empty when they fit or the slots are unknown (then logged as a
   * warning).
   */
  static Optional<String> shortfall(
      String pipeline, Map<String, Integer> streamingJobs, boolean recomputes, ClusterSlots slots) {
    int needed = needed(streamingJobs, recomputes);
    if (needed == 0) {
      return Optional.empty();
    }
    if (!slots.isKnown()) {
      LOG.warn(
          "Continuous update of pipeline '{}' needs {} task slots at once ({}), but the slots of {}"
              + " are not known: {}. Not checked: if fewer are free, a job waits for slots and fails"
              + " after Flink's slot request timeout (slot.request.timeout, 5 min by default).",
          pipeline,
          needed,
          jobs(streamingJobs, recomputes),
          slots.cluster(),
          slots.unknownBecause());
      return Optional.empty();
    }
    int free = slots.free().orElseThrow();
    int total = slots.total().orElseThrow();
    if (needed <= free) {
      return Optional.empty();
    }
    return Optional.of(
        "Continuous update of pipeline '"
            + pipeline
            + "' needs "
            + needed
            + " task slots at once, but "
            + slots.cluster()
            + " has "
            + free
            + " free"
            + (free == total
                ? ""
                : " ("
                    + total
                    + " in all; the cluster's other running jobs hold "
                    + (total - free)
                    + ")")
            + ": its streaming jobs run side by side until stopped, each with a slot per parallel"
            + " task: "
            + jobs(streamingJobs, recomputes)
            + ". A job without slots would wait for them and fail only after Flink's slot request"
            + " timeout (slot.request.timeout, 5 min by default), so no job was started. Give the"
            + " cluster "
            + (needed - free)
            + " more free slot"
            + (needed - free == 1 ? "" : "s")
            + " (more TaskManagers, or a larger taskmanager.numberOfTaskSlots"
            + (free == total ? "" : ", or stop its other jobs")
            + "), or lower the pipeline's `flink: parallelism:`.");
  }

  /**
   * The slots one job of the update takes: its parallelism, which a {@code parallelism.default} among
   * the pipeline's {@code flink:} options overrides (no operator runs wider or in a slot sharing group
   * of its own).
   */
  static int parallelism(RunSettings settings) {
    String option = settings.flinkOptions().get("parallelism.default");
    if (option != null) {
      try {
        return Math.max(1, Integer.parseInt(option.strip()));
      } catch (NumberFormatException notANumber) {
        return settings.parallelism(); // Flink itself rejects the job with the option's name
      }
    }
    return settings.parallelism();
  }

  /**
   * The error that fails {@code pipeline}'s triggered update when its {@code streamingJobs}, each of
   * {@code parallelism} slots, are wider than all the slots {@code slots} has; empty when they fit or
   * the slots are unknown.
   */
  static Optional<String> tooWide(
      String pipeline, List<String> streamingJobs, int parallelism, ClusterSlots slots) {
    if (streamingJobs.isEmpty() || !slots.isKnown() || parallelism <= slots.total().orElseThrow()) {
      return Optional.empty();
    }
    int total = slots.total().orElseThrow();
    return Optional.of(
        "The streaming job"
            + (streamingJobs.size() == 1 ? " " : "s ")
            + streamingJobs.stream().map(job -> "'" + job + "'").collect(Collectors.joining(", "))
            + " of pipeline '"
            + pipeline
            + "' need"
            + (streamingJobs.size() == 1 ? "s " : " ")
            + parallelism
            + " task slots at once (a slot per parallel task, parallelism "
            + parallelism
            + "), but "
            + slots.cluster()
            + " has "
            + total
            + " in all. Such a job would wait for slots that never come and fail only after Flink's"
            + " slot request timeout (slot.request.timeout, 5 min by default), so no job was"
            + " started. Give the cluster "
            + (parallelism - total)
            + " more slot"
            + (parallelism - total == 1 ? "" : "s")
            + " (more TaskManagers, or a larger taskmanager.numberOfTaskSlots), or lower the"
            + " pipeline's `flink: parallelism:` to "
            + total
            + " or less.");
  }

  /** Reports every flow of {@code jobs} FAILED with {@code message}; their results. */
  static List<FlowResult> failAll(List<PlannedJob> jobs, String message, UpdateListener listener) {
    List<FlowResult> results = new ArrayList<>();
    for (PlannedJob job : jobs) {
      for (String dataset : job.datasets()) {
        listener.onFlow(dataset, FlowState.FAILED, message);
        results.add(new FlowResult(dataset, job.name(), FlowState.FAILED, Optional.of(message)));
      }
    }
    return results;
  }

  /** The slots the jobs need at once. */
  static int needed(Map<String, Integer> streamingJobs, boolean recomputes) {
    int streams = streamingJobs.values().stream().mapToInt(Integer::intValue).sum();
    return streams == 0 ? 0 : streams + (recomputes ? 1 : 0);
  }

  private static String jobs(Map<String, Integer> streamingJobs, boolean recomputes) {
    return new LinkedHashMap<>(streamingJobs)
            .entrySet().stream()
                .map(job -> "'" + job.getKey() + "' (parallelism " + job.getValue() + ")")
                .collect(Collectors.joining(", "))
        + (recomputes ? ", and 1 for the recomputation of its materialized tables" : "");
  }
}
