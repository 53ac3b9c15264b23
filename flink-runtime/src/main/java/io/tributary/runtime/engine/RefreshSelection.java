package io.tributary.runtime.engine;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which tables an update refreshes, as DLT's update options say it: all of them (the default),
 * {@code --refresh a,b} (only those; the others are EXCLUDED and keep their data), {@code
 * --full-refresh} (clear everything first), {@code --full-refresh-tables a,b} (clear and recompute
 * those; the others are EXCLUDED).
 *
 * <p>Streaming tables connected by stream reads run in one job and share its state (source
 * positions, deduplication keys), so selection works per job: selecting one table runs its job's
 * other tables too, and a full refresh clears the whole job. A table property
 * {@code pipelines.reset.allowed=false} keeps a table (and its job) out of a full refresh.
 */
public record RefreshSelection(Kind kind, Set<String> tables) {

  /** The kinds of selection. */
  public enum Kind {
    ALL,
    REFRESH,
    FULL_REFRESH_ALL,
    FULL_REFRESH_TABLES
  }

  public static final String RESET_ALLOWED = "pipelines.reset.allowed";

  public RefreshSelection {
    Objects.requireNonNull(kind, "kind");
    tables = Set.copyOf(tables);
  }

  public static RefreshSelection all() {
    return new RefreshSelection(Kind.ALL, Set.of());
  }

  public static RefreshSelection fullRefreshAll() {
    return new RefreshSelection(Kind.FULL_REFRESH_ALL, Set.of());
  }

  public static RefreshSelection refresh(Set<String> tables) {
    return new RefreshSelection(Kind.REFRESH, tables);
  }

  public static RefreshSelection fullRefreshTables(Set<String> tables) {
    return new RefreshSelection(Kind.FULL_REFRESH_TABLES, tables);
  }

  /**
   * What this selection means for {@code plan}'s jobs.
   *
   * @param runJobs the jobs that run; the others' flows are EXCLUDED
   * @param resetJobs the jobs whose datasets, state and positions are cleared first
   * @param notes per dataset, why it runs or is kept although not named
   */
  public record Resolved(Set<String> runJobs, Set<String> resetJobs, Map<String, String> notes) {
    public Resolved {
      runJobs = Set.copyOf(runJobs);
      resetJobs = Set.copyOf(resetJobs);
      notes = Map.copyOf(notes);
    }
  }

  /**
   * Resolves this selection against the plan's jobs.
   *
   * @throws PipelineDefinitionException for a name that is not a table of the pipeline, or a full
   *     refresh of a table that forbids it
   */
  public Resolved resolve(LogicalPlan plan, List<PlannedJob> jobs) {
    Map<String, PlannedJob> jobOf = new LinkedHashMap<>();
    jobs.stream()
        .filter(job -> !job.once())
        .forEach(job -> job.datasets().forEach(d -> jobOf.put(d, job)));
    List<String> problems = new ArrayList<>();
    String option = kind == Kind.REFRESH ? "--refresh" : "--full-refresh-tables";
    for (String table : new TreeSet<>(tables)) {
      if (!jobOf.containsKey(table)) {
        problems.add(
            option
                + " names '"
                + table
                + "', which is not a table of the pipeline. Tables: "
                + new TreeSet<>(jobOf.keySet())
                + ".");
      } else if (kind == Kind.FULL_REFRESH_TABLES && !resetAllowed(plan, table)) {
        problems.add(
            "Table '"
                + table
                + "' forbids a full refresh ("
                + RESET_ALLOWED
                + "=false). Remove it from"
                + " --full-refresh-tables, or change the table property.");
      }
    }
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(plan.pipeline(), problems);
    }
    Set<String> run = new LinkedHashSet<>();
    Set<String> reset = new LinkedHashSet<>();
    Map<String, String> notes = new LinkedHashMap<>();
    for (PlannedJob job : jobs) {
      // a once job is the backfill of its flow's target, named by the target's name
      List<String> tablesOfJob =
          job.once()
              ? List.of(plan.appendFlow(job.datasets().get(0)).orElseThrow().target().orElseThrow())
              : job.datasets();
      boolean named = tablesOfJob.stream().anyMatch(tables::contains);
      boolean runs = kind == Kind.ALL || kind == Kind.FULL_REFRESH_ALL || named;
      if (!runs) {
        continue;
      }
      run.add(job.name());
      if (named && job.datasets().size() > 1) {
        String with = String.join(", ", job.datasets().stream().filter(tables::contains).toList());
        job.datasets().stream()
            .filter(d -> !tables.contains(d))
            .forEach(d -> notes.put(d, "runs with " + with + ": they share a streaming job"));
      }
      boolean wantsReset =
          kind == Kind.FULL_REFRESH_ALL || (kind == Kind.FULL_REFRESH_TABLES && named);
      if (wantsReset) {
        List<String> forbidding = tablesOfJob.stream().filter(d -> !resetAllowed(plan, d)).toList();
        if (forbidding.isEmpty()) {
          reset.add(job.name());
        } else {
          job.datasets()
              .forEach(
                  d ->
                      notes.put(
                          d,
                          "not fully refreshed: "
                              + String.join(", ", forbidding)
                              + " in the same job forbids it ("
                              + RESET_ALLOWED
                              + "=false)"));
        }
      }
    }
    return new Resolved(run, reset, notes);
  }

  private static boolean resetAllowed(LogicalPlan plan, String table) {
    DatasetSpec dataset = plan.dataset(table).orElseThrow();
    return !"false".equalsIgnoreCase(dataset.properties().getOrDefault(RESET_ALLOWED, "true"));
  }
}
