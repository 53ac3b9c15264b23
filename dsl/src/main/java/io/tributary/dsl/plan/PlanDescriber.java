package io.tributary.dsl.plan;

import io.tributary.dsl.Secrets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of {@link LogicalPlan#describe()}: the pipeline, its configuration sorted by key (secrets
 * shown as {@value io.tributary.dsl.Secrets#REDACTED}, {@link Secrets}), then each
 * dataset in plan order with its own reads and the flows into it. Golden tests compare it byte for
 * byte, so any change here is a change of every golden file.
 */
final class PlanDescriber {

  private PlanDescriber() {}

  static String describe(LogicalPlan plan) {
    List<String> lines = new ArrayList<>();
    lines.add("pipeline " + plan.pipeline());
    Secrets.shown(plan.configuration()).forEach((k, v) -> lines.add("  conf " + k + "=" + v));
    for (DatasetSpec dataset : plan.datasets()) {
      dataset.describeLines().forEach(line -> lines.add("  " + line));
      List<Input> reads = plan.ownInputs().getOrDefault(dataset.name(), List.of());
      if (!reads.isEmpty()) {
        lines.add("    reads " + String.join(", ", reads.stream().map(Input::describe).toList()));
      }
      plan.applyChanges().stream()
          .filter(a -> a.target().equals(dataset.name()))
          .forEach(a -> a.describeLines().forEach(line -> lines.add("    " + line)));
      for (AppendFlowSpec flow : plan.appendFlowsInto(dataset.name())) {
        flow.describeLines().forEach(line -> lines.add("    " + line));
        List<Input> flowReads = plan.flowInputs().getOrDefault(flow.name(), List.of());
        if (!flowReads.isEmpty()) {
          lines.add(
              "      reads " + String.join(", ", flowReads.stream().map(Input::describe).toList()));
        }
      }
      plan.snapshotChangesInto(dataset.name())
          .ifPresent(s -> s.describeLines().forEach(line -> lines.add("    " + line)));
    }
    return String.join("\n", lines) + "\n";
  }
}
