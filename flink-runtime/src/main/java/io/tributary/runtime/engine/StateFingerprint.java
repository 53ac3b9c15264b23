package io.tributary.runtime.engine;

import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What of a streaming job's plan its saved state depends on: per dataset, its source or query, its
 * reads, its deduplication keys and its row type. Stored beside the job's savepoint pointer and
 * compared before the next update restores it, so a change that makes the state unusable (a source
 * added or removed, a key changed) is reported before the job starts, with the fix. Expectations,
 * comments and properties hold no state and are left out. A change inside a {@code query} lambda
 * cannot be seen here: Flink's restore then fails, and {@link UpdateRunner} words that failure.
 *
 * <p>Each append flow has its own lines ({@code flow <name> …}): a flow added since the state was
 * saved is no difference (its sources start from nothing, the others restore their positions); a
 * flow removed or changed is.
 */
record StateFingerprint(List<String> lines) {

  StateFingerprint {
    lines = List.copyOf(lines);
  }

  static StateFingerprint of(ResolvedPlan plan, PlannedJob job) {
    List<String> lines = new ArrayList<>();
    List<String> flows = job.flows().stream().sorted().toList();
    for (String name : job.datasets().stream().sorted().toList()) { // declaration order holds no state
      if (job.once()) {
        continue; // its one flow is described below
      }
      DatasetSpec dataset = plan.plan().dataset(name).orElseThrow();
      lines.add(name + " " + dataset.queries().stream().map(q -> q.describe()).toList());
      lines.add(name + " reads " + plan.plan().queryInputsOf(name).stream().map(Input::describe).toList());
      lines.add(name + " drop duplicates " + dataset.dropDuplicatesKeys());
      plan.plan().applyChanges().stream().filter(a -> a.target().equals(name))
          .forEach(a -> lines.add(name + " apply changes keys " + a.keys() + " sequence by " + a.sequenceBy()
              + " scd type " + a.scdType()));
      lines.add(name + " schema " + plan.schema(name).asSerializableString());
    }
    for (String name : flows) {
      AppendFlowSpec flow = plan.plan().appendFlow(name).orElseThrow();
      lines.add(FLOW + name + " into " + flow.target().orElseThrow() + " "
          + flow.queries().stream().map(q -> q.describe()).toList() + " reads "
          + plan.plan().inputsOf(name).stream().map(Input::describe).toList() + " schema "
          + plan.schema(name).asSerializableString());
    }
    return new StateFingerprint(lines);
  }

  private static final String FLOW = "flow ";

  private static String flowOf(String line) {
    return line.substring(FLOW.length()).split(" ", 2)[0];
  }

  static StateFingerprint parse(String text) {
    return new StateFingerprint(text.lines().filter(line -> !line.isBlank()).toList());
  }

  String text() {
    return String.join("\n", lines) + "\n";
  }

  /** The first line that differs from {@code saved}, as "was … now …", or empty when they agree. */
  Optional<String> differenceFrom(StateFingerprint saved) {
    Set<String> savedFlows = saved.lines.stream().filter(l -> l.startsWith(FLOW)).map(StateFingerprint::flowOf)
        .collect(Collectors.toSet());
    List<String> lines = this.lines.stream()
        .filter(l -> !l.startsWith(FLOW) || savedFlows.contains(flowOf(l))).toList();
    Set<String> flows = lines.stream().filter(l -> l.startsWith(FLOW)).map(StateFingerprint::flowOf)
        .collect(Collectors.toSet());
    Optional<String> removed = saved.lines.stream().filter(l -> l.startsWith(FLOW) && !flows.contains(flowOf(l)))
        .findFirst();
    if (removed.isPresent()) {
      return Optional.of("was \"" + removed.get() + "\", now \"(nothing)\"");
    }
    int size = Math.max(lines.size(), saved.lines.size());
    for (int i = 0; i < size; i++) {
      String now = i < lines.size() ? lines.get(i) : "(nothing)";
      String was = i < saved.lines.size() ? saved.lines.get(i) : "(nothing)";
      if (!now.equals(was)) {
        return Optional.of("was \"" + was + "\", now \"" + now + "\"");
      }
    }
    return Optional.empty();
  }
}
