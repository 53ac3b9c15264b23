package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DefinitionErrors;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** The row type of a streaming table fed by several flows, which must agree on their columns. */
final class FlowTypes {

  private FlowTypes() {}

  /**
   * The first flow's columns, checked against every other flow's by name and type (in any order),
   * each nullable if any flow's is; null, with the problems added, if they differ.
   */
  static RowType targetType(
      String target, Map<String, RowType> types, List<String> targetProblems) {
    Map.Entry<String, RowType> first = types.entrySet().iterator().next();
    RowType firstType = EventTime.physical(first.getValue());
    Map<String, LogicalType> columns = new LinkedHashMap<>();
    firstType.getFields().forEach(f -> columns.put(f.getName(), f.getType().copy(true)));
    Set<String> nullable = new LinkedHashSet<>();
    for (Map.Entry<String, RowType> flow : types.entrySet()) {
      RowType type = EventTime.physical(flow.getValue());
      Map<String, LogicalType> flowColumns = new LinkedHashMap<>();
      type.getFields().forEach(f -> flowColumns.put(f.getName(), f.getType().copy(true)));
      if (!flowColumns.equals(columns)) {
        targetProblems.add(
            DefinitionErrors.appendFlowSchemaMismatch(
                flow.getKey(),
                target,
                describe(firstType),
                describe(type),
                flow.getKey().equals(first.getKey()) ? "it" : "flow '" + first.getKey() + "'"));
      }
      type.getFields().stream()
          .filter(f -> f.getType().isNullable())
          .forEach(f -> nullable.add(f.getName()));
    }
    if (!targetProblems.isEmpty()) {
      return null;
    }
    return new RowType(
        firstType.getFields().stream()
            .map(
                f ->
                    new RowType.RowField(
                        f.getName(), f.getType().copy(nullable.contains(f.getName()))))
            .toList());
  }

  /** {@code (name TYPE, …)}, nullability left out. */
  static String describe(RowType type) {
    return "("
        + String.join(
            ", ",
            type.getFields().stream()
                .map(f -> f.getName() + " " + f.getType().copy(true).asSummaryString())
                .toList())
        + ")";
  }
}
