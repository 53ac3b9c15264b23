package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.Input;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.RowType;

/**
 * What one {@link AnalysisRun} has learned so far: each analyzed dataset's row type (registered as
 * placeholders for the queries that read it) and inputs, the read that left each blocked dataset
 * unresolved, and every problem, in the order found.
 */
final class AnalysisFindings {

  private final Placeholders placeholders;
  private final Map<String, RowType> rowTypes = new LinkedHashMap<>();
  private final Map<String, List<Input>> inputs = new LinkedHashMap<>();

  /** The read that left each {@link DatasetState#BLOCKED} dataset unresolved: its edge of the cycle. */
  private final Map<String, String> waitingOn = new LinkedHashMap<>();

  private final List<String> problems = new ArrayList<>();

  AnalysisFindings(Placeholders placeholders) {
    this.placeholders = placeholders;
  }

  /** The row type of analyzed {@code dataset}. */
  RowType rowType(String dataset) {
    return rowTypes.get(dataset);
  }

  /** Each analyzed dataset's row type, and each append flow's own. */
  Map<String, RowType> rowTypes() {
    return rowTypes;
  }

  /** Records an append flow's own row type, which its sources produce before the table orders it. */
  void flowRowType(String flow, RowType rowType) {
    rowTypes.put(flow, rowType);
  }

  /** What {@code reader} reads, as far as it is known. */
  List<Input> inputs(String reader) {
    return inputs.getOrDefault(reader, List.of());
  }

  /** Every reader's inputs learned so far. */
  Map<String, List<Input>> inputs() {
    return inputs;
  }

  void reads(String reader, List<Input> read) {
    inputs.put(reader, read);
  }

  /** Forgets what {@code reader} reads: it is blocked, and reported with the cycle instead. */
  void forgetReads(String reader) {
    inputs.remove(reader);
  }

  /** {@code reader} is left unresolved by its read of {@code read}, which is on a cycle. */
  void waitsOn(String reader, String read) {
    waitingOn.put(reader, read);
  }

  Map<String, String> waitingOn() {
    return waitingOn;
  }

  List<String> problems() {
    return problems;
  }

  /** Registers {@code dataset}'s row type and placeholders, unless it has problems: then it failed. */
  DatasetState registered(String dataset, RowType rowType, List<String> datasetProblems) {
    if (!datasetProblems.isEmpty()) {
      return failed(datasetProblems);
    }
    rowTypes.put(dataset, rowType);
    placeholders.register(dataset, rowType);
    return DatasetState.DONE;
  }

  /** Reports {@code datasetProblems}: their dataset failed. */
  DatasetState failed(List<String> datasetProblems) {
    problems.addAll(datasetProblems);
    return DatasetState.FAILED;
  }
}
