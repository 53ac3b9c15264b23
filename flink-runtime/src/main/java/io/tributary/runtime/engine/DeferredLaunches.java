package io.tributary.runtime.engine;

import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs of incremental materialized tables a continuous update has not launched yet. Such a job
 * streams the Delta tables it reads from their versions ({@code DeltaStreamSource}), and a stream of a
 * table not created yet fails, while in a continuous update the jobs that create those tables start
 * at the same time. So each waits until every table it reads exists (a Delta table with a version),
 * checked by {@link #ready} once per interval; until then its flows stay STARTING, saying which table
 * they wait for.
 */
final class DeferredLaunches {

  private final PipelineStorage storage;
  private final UpdateListener listener;

  /** Per waiting job, in the plan's order, the input table its flows were last told they wait for. */
  private final Map<String, String> waiting = new LinkedHashMap<>();

  DeferredLaunches(PipelineStorage storage, UpdateListener listener) {
    this.storage = storage;
    this.listener = listener;
  }

  /** Defers {@code job}'s launch until every table it reads exists. */
  void add(PlannedJob job) {
    job.datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, ""));
    waiting.put(job.name(), "");
  }

  /**
   * The waiting jobs of {@code plan} whose every input table exists now, in the plan's order; they no
   * longer wait. The flows of each job still waiting are told which table it waits for, when that
   * changed.
   */
  List<PlannedJob> ready(UpdatePlan plan) {
    List<PlannedJob> ready = new ArrayList<>();
    for (String name : List.copyOf(waiting.keySet())) {
      PlannedJob job = plan.job(name);
      Optional<String> missing =
          IncrementalRefresh.inputs(plan, job).stream()
              .filter(table -> version(storage, table) < 0)
              .findFirst();
      if (missing.isEmpty()) {
        waiting.remove(name);
        ready.add(job);
      } else if (!missing.get().equals(waiting.get(name))) {
        waiting.put(name, missing.get());
        job.datasets()
            .forEach(
                d ->
                    listener.onFlow(
                        d,
                        FlowState.STARTING,
                        "waits for its input table '"
                            + missing.get()
                            + "' to be created: it starts once every table it reads exists"));
      }
    }
    return ready;
  }

  /** Reports the flows of the jobs still waiting, now that the update ends, as STOPPED; their results. */
  List<FlowResult> neverStarted(UpdatePlan plan) {
    List<FlowResult> results = new ArrayList<>();
    waiting.forEach(
        (name, table) -> {
          String detail =
              table.isEmpty()
                  ? "never started: the update ended before it was launched"
                  : "never started: the update ended while it waited for its input table '"
                      + table
                      + "'";
          for (String dataset : plan.job(name).datasets()) {
            listener.onFlow(dataset, FlowState.STOPPED, detail);
            results.add(new FlowResult(dataset, name, FlowState.STOPPED, Optional.empty()));
          }
        });
    waiting.clear();
    return results;
  }

  /** {@code table}'s latest Delta version, or -1 while it has no table. */
  static long version(PipelineStorage storage, String table) {
    String path = storage.tablePath(table);
    return DeltaTableReader.schema(path, storage.hadoopConf()).isPresent()
        ? DeltaTableReader.version(path, storage.hadoopConf())
        : -1;
  }
}
