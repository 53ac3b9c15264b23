package io.tributary.runtime.cli;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.Query;
import java.util.ArrayList;
import java.util.List;

/** Draws a pipeline's dataset graph as text, Mermaid or Graphviz DOT, in plan order. */
final class GraphRenderer {

  /** The output formats of {@code tributary graph}. */
  enum Format {
    TEXT,
    MERMAID,
    DOT
  }

  private GraphRenderer() {}

  static String render(LogicalPlan plan, Format format) {
    switch (format) {
      case MERMAID:
        return mermaid(plan);
      case DOT:
        return dot(plan);
      default:
        return text(plan);
    }
  }

  private static String text(LogicalPlan plan) {
    List<String> lines = new ArrayList<>();
    lines.add("pipeline " + plan.pipeline());
    for (DatasetSpec dataset : plan.datasets()) {
      List<String> reads =
          new ArrayList<>(plan.inputsOf(dataset.name()).stream().map(Input::describe).toList());
      source(dataset).ifPresent(reads::add);
      lines.add(
          "  "
              + dataset.name()
              + " ("
              + dataset.kind().displayName()
              + ")"
              + (reads.isEmpty() ? "" : " <- " + String.join(", ", reads)));
    }
    return String.join("\n", lines) + "\n";
  }

  private static String mermaid(LogicalPlan plan) {
    List<String> lines = new ArrayList<>();
    lines.add("flowchart LR");
    for (DatasetSpec dataset : plan.datasets()) {
      String label = dataset.name() + "<br/><i>" + dataset.kind().displayName() + "</i>";
      lines.add(
          "  "
              + dataset.name()
              + (dataset.kind() == DatasetKind.VIEW
                  ? "[\"" + label + "\"]"
                  : "[(\"" + label + "\")]"));
      if (source(dataset).isPresent()) {
        String id = dataset.name() + "__source";
        lines.add(
            "  "
                + id
                + "{{\""
                + source(dataset).get().replace("\"", "'")
                + "\"}} --> "
                + dataset.name());
      }
    }
    for (DatasetSpec dataset : plan.datasets()) {
      for (Input input : plan.inputsOf(dataset.name())) {
        lines.add(
            "  "
                + input.dataset()
                + switch (input.mode()) {
                  case STREAM -> " -->|stream| ";
                  case LOOKUP -> " -.->|lookup| ";
                  case SNAPSHOT -> " -.->|snapshot| ";
                }
                + dataset.name());
      }
    }
    return String.join("\n", lines) + "\n";
  }

  private static String dot(LogicalPlan plan) {
    List<String> lines = new ArrayList<>();
    lines.add("digraph \"" + plan.pipeline() + "\" {");
    lines.add("  rankdir=LR;");
    for (DatasetSpec dataset : plan.datasets()) {
      String shape = dataset.kind() == DatasetKind.VIEW ? "box" : "cylinder";
      lines.add(
          "  \""
              + dataset.name()
              + "\" [shape="
              + shape
              + ", label=\""
              + dataset.name()
              + "\\n"
              + dataset.kind().displayName()
              + "\"];");
      source(dataset)
          .ifPresent(
              s ->
                  lines.add(
                      "  \""
                          + dataset.name()
                          + "__source\" [shape=hexagon, label=\""
                          + s.replace("\"", "'")
                          + "\"];\n  \""
                          + dataset.name()
                          + "__source\" -> \""
                          + dataset.name()
                          + "\";"));
    }
    for (DatasetSpec dataset : plan.datasets()) {
      for (Input input : plan.inputsOf(dataset.name())) {
        lines.add(
            "  \""
                + input.dataset()
                + "\" -> \""
                + dataset.name()
                + "\""
                + switch (input.mode()) {
                  case STREAM -> " [label=\"stream\"];";
                  case LOOKUP -> " [label=\"lookup\", style=dotted];";
                  case SNAPSHOT -> " [label=\"snapshot\", style=dashed];";
                });
      }
    }
    lines.add("}");
    return String.join("\n", lines) + "\n";
  }

  private static java.util.Optional<String> source(DatasetSpec dataset) {
    return dataset
        .query()
        .filter(Query.SourceRead.class::isInstance)
        .map(q -> ((Query.SourceRead) q).source().describe());
  }
}
