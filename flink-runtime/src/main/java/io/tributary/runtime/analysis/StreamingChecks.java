package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.ReadMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * What a streaming table's query must be: append-only as it will run (views inlined), and without
 * a plain snapshot read joined to its stream. Reads the inputs analysis has learned so far.
 */
final class StreamingChecks {

  private final StreamTableEnvironment tableEnv;
  private final Map<String, DatasetSpec> datasets;
  private final Function<String, List<Input>> inputs;
  private final Map<String, String> configuration;

  StreamingChecks(
      StreamTableEnvironment tableEnv,
      Map<String, DatasetSpec> datasets,
      Function<String, List<Input>> inputs,
      Map<String, String> configuration) {
    this.tableEnv = tableEnv;
    this.datasets = datasets;
    this.inputs = inputs;
    this.configuration = configuration;
  }

  /**
   * A streaming table's own query: no snapshot read joined to its stream (a stream joined with a
   * snapshot is also an updating join once outer: the lookup fixes both), then append-only.
   */
  void checkStreamingQuery(DatasetSpec dataset, Table built, List<String> problems) {
    List<String> snapshotReads = new ArrayList<>();
    checkNoSnapshotReads(dataset, dataset.name(), "", snapshotReads);
    problems.addAll(snapshotReads);
    if (snapshotReads.isEmpty()) {
      checkAppendOnly(dataset, built, problems);
    }
  }

  /**
   * Asks the planner for an append-only stream of the query as it will run, with the views it
   * reads inlined (a view's placeholder would hide an outer join's retractions).
   */
  void checkAppendOnly(DatasetSpec dataset, Table built, List<String> problems) {
    updatingError(dataset, built)
        .ifPresent(e -> problems.add(AnalysisErrors.updatingStreamingQuery(dataset, e)));
  }

  /**
   * The planner's refusal to make an append-only stream of {@code dataset}'s query, if it refuses:
   * {@code built}, the query as analysis built it, unless it reads views; then the query is built
   * again with them inlined ({@link Placeholders#inlined}, as refresh planning builds a materialized
   * table's).
   */
  Optional<TableException> updatingError(DatasetSpec dataset, Table built) {
    if (!Placeholders.readsViews(dataset.name(), datasets, inputs)) {
      return updatingError(() -> built, () -> {});
    }
    PlanTables inlined = Placeholders.inlined(tableEnv, datasets, inputs, configuration);
    return updatingError(() -> inlined.build(dataset), inlined::dropRegisteredViews);
  }

  private Optional<TableException> updatingError(Supplier<Table> query, Runnable cleanUp) {
    try {
      tableEnv.toDataStream(query.get());
      return Optional.empty();
    } catch (TableException e) {
      if (String.valueOf(e.getMessage()).contains("update")) {
        return Optional.of(e);
      }
      throw e;
    } finally {
      cleanUp.run();
    }
  }

  /**
   * A stream joined with a table's snapshot would be a regular join, which keeps both sides in state
   * and revises rows it emitted, against the rows the table had when the job started: refused, with
   * the lookup join that gives DLT's stream-static semantics as the fix. A lookup is no snapshot read.
   */
  void checkNoSnapshotReads(
      DatasetSpec reader, String current, String through, List<String> problems) {
    for (Input input : inputs.apply(current)) {
      DatasetSpec read = datasets.get(input.dataset());
      if (read == null || input.mode() == ReadMode.LOOKUP) {
        continue; // a lookup of a view is the plan's to refuse
      }
      if (read.kind() == DatasetKind.VIEW) {
        checkNoSnapshotReads(reader, read.name(), read.name(), problems);
      } else if (input.mode() == ReadMode.SNAPSHOT) {
        problems.add(AnalysisErrors.snapshotReadInStreamingTable(reader, read.name(), through));
      }
    }
  }
}
