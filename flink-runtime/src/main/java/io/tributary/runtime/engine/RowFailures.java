package io.tributary.runtime.engine;

import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Expectation;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.source.SourceRowException;
import io.tributary.runtime.translate.JobContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.util.SerializedThrowable;

/**
 * The user's message for a job that failed on one row: an expression of a dataset's query or of one
 * of its expectations threw on the row's values ({@code CAST(amount AS INT) > 0} meeting {@code 'abc'}).
 * The planner compiles the query and every constraint into one generated operator, whose exception
 * names no expression; the Auto Loader source that emitted the row adds where it came from
 * ({@link SourceRowException}). This names the pipeline, the dataset whose source read the row and the
 * datasets of the job it feeds, the row's file, line and values, the expectations that evaluate it,
 * and the fix.
 */
final class RowFailures {

  /** A CAST call that is not already a TRY_CAST. */
  private static final java.util.regex.Pattern CAST =
      java.util.regex.Pattern.compile("(?i)(?<![\\w$])CAST\\s*\\(");

  private RowFailures() {}

  /**
   * The message for {@code failure} of {@code context}'s job: when a source named the row it failed on,
   * with the row's file, line and values; when the planner's code threw on a row no source saw (read
   * from a Delta table, or after a shuffle), with what is known of it. Empty for any other failure.
   */
  static Optional<String> describe(Throwable failure, JobContext context, LogicalPlan plan) {
    Optional<SourceRowException> named = find(failure);
    if (named.isPresent()) {
      SourceRowException row = named.get();
      return Optional.of(
          message(
              row.sourceId(),
              row.file(),
              row.position(),
              row.row(),
              row.causeMessage(),
              context,
              plan));
    }
    if (SourceRowException.thrownByThePlannersCode(failure)) {
      return Optional.of(messageWithoutOrigin(JobErrors.rootMessage(failure), context, plan));
    }
    return Optional.empty();
  }

  /** The source's exception in the chain; one from a cluster arrives serialized and is read back. */
  static Optional<SourceRowException> find(Throwable failure) {
    for (Throwable cause = failure;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SourceRowException row) {
        return Optional.of(row);
      }
      if (cause instanceof SerializedThrowable serialized
          && serialized.getOriginalErrorClassName().equals(SourceRowException.class.getName())) {
        Throwable original = serialized.deserializeError(RowFailures.class.getClassLoader());
        if (original instanceof SourceRowException row) {
          return Optional.of(row);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The message for a row that source {@code sourceId} read from {@code file} at {@code position} (such
   * as {@code line 3}), whose values are {@code row}, and on which an expression threw {@code cause}.
   */
  static String message(
      String sourceId,
      String file,
      Optional<String> position,
      String row,
      String cause,
      JobContext context,
      LogicalPlan plan) {
    Optional<String> origin = originDataset(sourceId, context, plan);
    List<String> datasets =
        origin.map(d -> evaluatedIn(d, context, plan)).orElse(context.job().datasets());
    return compose(
        origin,
        datasets,
        cause,
        "The row came from file "
            + file
            + position.map(p -> ", " + p).orElse("")
            + ": "
            + row
            + ".",
        plan,
        context);
  }

  /**
   * The message for a row on which the planner's code threw {@code cause} in {@code context}'s job,
   * where no Auto Loader reader saw it: read from a Delta table, or after a shuffle.
   */
  static String messageWithoutOrigin(String cause, JobContext context, LogicalPlan plan) {
    List<String> datasets = context.job().datasets();
    Optional<String> only = datasets.size() == 1 ? Optional.of(datasets.get(0)) : Optional.empty();
    return compose(
        only,
        datasets,
        cause,
        "The row's file, line and values are not known: only an Auto Loader source"
            + " names the rows it emits, and this row was read from a Delta table or crossed a shuffle before it"
            + " failed.",
        plan,
        context);
  }

  private static String compose(
      Optional<String> origin,
      List<String> datasets,
      String cause,
      String whence,
      LogicalPlan plan,
      JobContext context) {
    String where =
        origin.map(d -> "dataset '" + d + "'").orElse("job '" + context.job().name() + "'");
    String fedTo =
        datasets.stream()
            .filter(d -> !origin.equals(Optional.of(d)))
            .map(d -> "'" + d + "'")
            .toList()
            .toString()
            .replace("[", "")
            .replace("]", "");
    StringBuilder text =
        new StringBuilder("Pipeline '")
            .append(context.pipeline())
            .append("', ")
            .append(where)
            .append(": a row made ")
            .append(
                fedTo.isEmpty()
                    ? "the dataset's query or its expectations"
                    : origin.isPresent()
                        ? "the query or the expectations of the dataset or of "
                            + fedTo
                            + " (which read it in the same job)"
                        : "the query or the expectations of " + fedTo)
            .append(" fail: ")
            .append(oneLine(cause))
            .append(". ")
            .append(whence);
    List<String> expectations = new ArrayList<>();
    List<String> rewritten = new ArrayList<>();
    for (String dataset : datasets) {
      for (Expectation e : plan.dataset(dataset).map(DatasetSpec::expectations).orElse(List.of())) {
        if (!e.isUnique()) {
          expectations.add(describe(e) + (datasets.size() > 1 ? " of '" + dataset + "'" : ""));
          String tolerant = CAST.matcher(oneLine(e.constraint())).replaceAll("TRY_CAST(");
          if (!tolerant.equals(oneLine(e.constraint()))) {
            rewritten.add("'" + e.name() + "' as " + tolerant);
          }
        }
      }
    }
    if (expectations.isEmpty()) {
      text.append(" No expectation evaluates it: the expression is in the query.");
    } else {
      text.append(" The expectation")
          .append(expectations.size() == 1 ? " that evaluates" : "s that evaluate")
          .append(
              " it, evaluated with the query in one operator, so the failing one is not told apart: ")
          .append(String.join(", ", expectations))
          .append('.');
    }
    return text.append(
            " Nothing of the epoch holding the row was committed. Fix the record, or write the")
        .append(
            " expression so that it cannot fail: TRY_CAST returns NULL where CAST fails, and NULL fails an")
        .append(" expectation, so expectOrDrop drops the row and the event log counts it")
        .append(rewritten.isEmpty() ? "" : " (" + String.join(", ", rewritten) + ")")
        .append('.')
        .toString();
  }

  private static String describe(Expectation e) {
    return "'" + e.name() + "' (" + oneLine(e.constraint()) + ")";
  }

  /** The dataset (or append flow) whose source has this uid: {@code <dataset>-source[-<generation>]}. */
  private static Optional<String> originDataset(
      String sourceId, JobContext context, LogicalPlan plan) {
    Set<String> names = new LinkedHashSet<>();
    plan.datasets().forEach(d -> names.add(d.name()));
    plan.appendFlows().forEach(f -> names.add(f.name()));
    return names.stream().filter(name -> context.uid(name, "source").equals(sourceId)).findFirst();
  }

  /**
   * {@code origin} and the datasets that read it within this job (views inline into their readers), in
   * plan order: the row passes through their queries and expectations in the same chain of operators.
   */
  private static List<String> evaluatedIn(String origin, JobContext context, LogicalPlan plan) {
    Set<String> reached = new LinkedHashSet<>();
    Deque<String> next = new ArrayDeque<>(List.of(origin));
    while (!next.isEmpty()) {
      String dataset = next.poll();
      if (!reached.add(dataset)) {
        continue;
      }
      for (String reader : plan.readersOf(dataset)) {
        boolean view = plan.dataset(reader).map(d -> !d.kind().isPersisted()).orElse(false);
        if (view || context.job().datasets().contains(reader)) {
          next.add(reader);
        }
      }
    }
    List<String> ordered = new ArrayList<>();
    plan.datasets()
        .forEach(
            d -> {
              if (reached.contains(d.name())) {
                ordered.add(d.name());
              }
            });
    reached.stream()
        .filter(d -> !ordered.contains(d))
        .forEach(ordered::add); // an append flow's name
    return ordered;
  }

  private static String oneLine(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }
}
