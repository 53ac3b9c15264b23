package io.tributary.runtime.translate;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.ReadMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups a plan's flows into Flink jobs, the execution model of the foundation: streaming tables
 * connected by stream reads share one STREAMING job (rows pass between them inside the job and
 * commit on the same checkpoints); each materialized table is its own BATCH job; flows that are not
 * connected run as separate jobs, so one failing does not stop the others. Jobs come out in an
 * order in which every job runs after the jobs it reads.
 *
 * <p>The append flows into a streaming table run in that table's job, their rows unioned before its
 * one sink: each flow's sources keep their own positions under uids named after the flow, so a flow
 * added later starts from nothing while the others restore theirs. A {@code once} flow is a job of
 * its own ({@code once_<flow>}), run until caught up in the update that needs it.
 */
public final class JobPlanner {

  private JobPlanner() {}

  /**
   * The jobs of an analyzed plan: as {@link #plan(LogicalPlan)}, except that a materialized table the
   * planner lets an update maintain incrementally ({@link io.tributary.runtime.analysis.Refresh}) is a
   * STREAMING job of its own, under the same name: it reads its inputs' new table versions, keeps its
   * aggregates in state across updates by savepoint, and applies its changelog to its table by key.
   */
  public static List<PlannedJob> plan(io.tributary.runtime.analysis.ResolvedPlan resolved) {
    return plan(resolved.plan()).stream()
        .map(
            job ->
                job.mode() == PlannedJob.Mode.BATCH
                        && job.datasets().size() == 1
                        && resolved
                            .plan()
                            .dataset(job.datasets().get(0))
                            .map(d -> d.kind() == DatasetKind.MATERIALIZED_TABLE)
                            .orElse(false)
                        && resolved.refresh(job.datasets().get(0)).incremental()
                    ? new PlannedJob(
                        job.name(),
                        PlannedJob.Mode.STREAMING,
                        job.datasets(),
                        job.upstreamJobs(),
                        job.flows(),
                        job.once())
                    : job)
        .toList();
  }

  public static List<PlannedJob> plan(LogicalPlan plan) {
    // an applyChangesFromSnapshot target runs alone to the end of its snapshots, as a table does
    Set<String> snapshotTargets = new LinkedHashSet<>();
    plan.snapshotChanges().forEach(s -> snapshotTargets.add(s.target()));
    Map<String, String> leader = new LinkedHashMap<>();
    for (DatasetSpec dataset : plan.datasets()) {
      if (dataset.kind() == DatasetKind.STREAMING_TABLE
          && !snapshotTargets.contains(dataset.name())) {
        leader.put(dataset.name(), dataset.name());
      }
    }
    for (String table : leader.keySet()) {
      for (String upstream : streamedTables(plan, table, new LinkedHashSet<>())) {
        union(leader, table, upstream);
      }
    }
    Map<String, List<String>> groups = new LinkedHashMap<>();
    Map<String, String> jobOf = new HashMap<>();
    for (DatasetSpec dataset : plan.datasets()) {
      if (snapshotTargets.contains(dataset.name())) {
        groups.put(dataset.name(), List.of(dataset.name()));
      } else if (dataset.kind() == DatasetKind.STREAMING_TABLE && onlyBackfilled(plan, dataset)) {
        continue; // its rows come only from once flows, each a job of its own
      } else if (dataset.kind() == DatasetKind.STREAMING_TABLE) {
        String root = find(leader, dataset.name());
        groups.computeIfAbsent(root, r -> new ArrayList<>()).add(dataset.name());
      } else if (dataset.kind() == DatasetKind.MATERIALIZED_TABLE) {
        groups.put(dataset.name(), List.of(dataset.name()));
      }
    }
    Map<String, PlannedJob.Mode> modes = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    groups.forEach(
        (root, members) -> {
          boolean streaming =
              plan.dataset(root).orElseThrow().kind() == DatasetKind.STREAMING_TABLE
                  && !snapshotTargets.contains(root);
          String name =
              (streaming ? "stream_" : snapshotTargets.contains(root) ? "snapshot_" : "table_")
                  + stableMember(plan, members);
          names.put(root, name);
          modes.put(root, streaming ? PlannedJob.Mode.STREAMING : PlannedJob.Mode.BATCH);
          members.forEach(m -> jobOf.put(m, name));
        });

    Map<String, PlannedJob> jobs = new LinkedHashMap<>();
    groups.forEach(
        (root, members) -> {
          Set<String> upstream = new LinkedHashSet<>();
          for (String member : members) {
            for (String read : persistedReads(plan, member, new LinkedHashSet<>())) {
              String job = jobOf.get(read);
              if (job != null && !job.equals(names.get(root))) {
                upstream.add(job);
              }
            }
          }
          List<String> flows =
              members.stream()
                  .flatMap(m -> plan.appendFlowsInto(m).stream())
                  .filter(f -> !f.once())
                  .map(AppendFlowSpec::name)
                  .toList();
          jobs.put(
              names.get(root),
              new PlannedJob(names.get(root), modes.get(root), members, upstream, flows, false));
        });
    Map<String, List<String>> onceJobsInto = new HashMap<>();
    for (AppendFlowSpec flow : plan.appendFlows()) {
      if (flow.once() && flow.target().isPresent()) {
        Set<String> upstream = new LinkedHashSet<>();
        for (String read : persistedReads(plan, flow.name(), new LinkedHashSet<>())) {
          upstream.add(jobOf.get(read));
        }
        String name = "once_" + flow.name();
        jobs.put(
            name,
            new PlannedJob(
                name,
                PlannedJob.Mode.STREAMING,
                List.of(flow.name()),
                upstream,
                List.of(flow.name()),
                true));
        onceJobsInto.computeIfAbsent(flow.target().get(), t -> new ArrayList<>()).add(name);
      }
    }
    // A job reading another job's table runs after the backfills into that table. In the table's
    // own job, rows pass on as they are appended; a backfill's rows are in its table, not in that
    // stream.
    jobs.replaceAll(
        (name, job) -> {
          Set<String> upstream = new LinkedHashSet<>(job.upstreamJobs());
          for (String member : job.once() ? List.<String>of() : job.datasets()) {
            for (String read : persistedReads(plan, member, new LinkedHashSet<>())) {
              if (!job.datasets().contains(read)) {
                upstream.addAll(onceJobsInto.getOrDefault(read, List.of()));
              }
            }
          }
          return upstream.equals(job.upstreamJobs())
              ? job
              : new PlannedJob(
                  job.name(), job.mode(), job.datasets(), upstream, job.flows(), job.once());
        });
    return ordered(plan.pipeline(), jobs);
  }

  /** Whether every flow into {@code dataset} is a {@code once} flow: nothing streams into it. */
  private static boolean onlyBackfilled(LogicalPlan plan, DatasetSpec dataset) {
    List<AppendFlowSpec> flows = plan.appendFlowsInto(dataset.name());
    return dataset.query().isEmpty()
        && !flows.isEmpty()
        && flows.stream().allMatch(AppendFlowSpec::once);
  }

  /**
   * The member a job is named after: the first by name among those that read no other member (the
   * tables fed from outside), so declaring tables in another order or adding downstream tables keeps
   * the job's name, and with it the folder of its state.
   */
  private static String stableMember(LogicalPlan plan, List<String> members) {
    return members.stream()
        .filter(
            m ->
                streamedTables(plan, m, new LinkedHashSet<>()).stream()
                    .noneMatch(members::contains))
        .sorted()
        .findFirst()
        .orElse(members.stream().sorted().findFirst().orElseThrow());
  }

  /** The streaming tables {@code dataset} reads as a stream, directly or through views. */
  private static Set<String> streamedTables(LogicalPlan plan, String dataset, Set<String> seen) {
    Set<String> tables = new LinkedHashSet<>();
    for (Input input : plan.inputsOf(dataset)) {
      if (input.mode() != ReadMode.STREAM || !seen.add(input.dataset())) {
        continue;
      }
      DatasetSpec read = plan.dataset(input.dataset()).orElseThrow();
      if (read.kind() == DatasetKind.VIEW) {
        tables.addAll(streamedTables(plan, read.name(), seen));
      } else if (read.kind() == DatasetKind.STREAMING_TABLE) {
        tables.add(read.name());
      }
    }
    return tables;
  }

  /** The persisted datasets {@code dataset} reads in any mode, looking through views. */
  public static Set<String> tablesRead(LogicalPlan plan, String dataset) {
    return persistedReads(plan, dataset, new LinkedHashSet<>());
  }

  private static Set<String> persistedReads(LogicalPlan plan, String dataset, Set<String> seen) {
    Set<String> reads = new LinkedHashSet<>();
    for (Input input : plan.inputsOf(dataset)) {
      if (!seen.add(input.dataset())) {
        continue;
      }
      DatasetSpec read = plan.dataset(input.dataset()).orElseThrow();
      if (read.kind() == DatasetKind.VIEW) {
        reads.addAll(persistedReads(plan, read.name(), seen));
      } else {
        reads.add(read.name());
      }
    }
    return reads;
  }

  private static List<PlannedJob> ordered(String pipeline, Map<String, PlannedJob> jobs) {
    List<PlannedJob> sorted = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    while (sorted.size() < jobs.size()) {
      PlannedJob next =
          jobs.values().stream()
              .filter(j -> !done.contains(j.name()) && done.containsAll(j.upstreamJobs()))
              .findFirst()
              .orElse(null);
      if (next == null) {
        List<String> stuck = jobs.keySet().stream().filter(n -> !done.contains(n)).toList();
        throw PipelineDefinitionException.of(
            pipeline,
            List.of(
                "The jobs "
                    + stuck
                    + " read each other's tables:"
                    + " a streaming table reads a materialized table that itself reads the streaming tables of the same"
                    + " job. Read the materialized table's inputs directly, or split the streaming tables."));
      }
      done.add(next.name());
      sorted.add(next);
    }
    return sorted;
  }

  private static String find(Map<String, String> leader, String name) {
    String root = name;
    while (!leader.get(root).equals(root)) {
      root = leader.get(root);
    }
    return root;
  }

  private static void union(Map<String, String> leader, String a, String b) {
    String rootA = find(leader, a);
    String rootB = find(leader, b);
    if (!rootA.equals(rootB)) {
      // the earlier-declared root stays leader, so job names are stable
      List<String> order = new ArrayList<>(leader.keySet());
      if (order.indexOf(rootA) < order.indexOf(rootB)) {
        leader.put(rootB, rootA);
      } else {
        leader.put(rootA, rootB);
      }
    }
  }
}
