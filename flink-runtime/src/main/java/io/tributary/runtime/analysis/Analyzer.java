package io.tributary.runtime.analysis;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.LogicalPlan;
import java.util.List;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.types.logical.RowType;

/**
 * Resolves what only Flink can: runs each {@code query} lambda and SQL query against placeholder
 * tables carrying the upstream schemas, learns every read, derives every dataset's row type, and
 * rejects what cannot run (a streaming table fed by an updating query, a read of an unknown
 * dataset). Reports every problem at once as a {@link PipelineDefinitionException}. Writes nothing.
 *
 * <p>Each call is one {@link AnalysisRun}, which runs each query once, in an order decided by the
 * plan and, for the reads only a query knows, on demand.
 */
public final class Analyzer {

  private final SourceSchemas sourceSchemas;
  private final List<DatasetCheck> checks;

  /** A further check of one analyzed dataset, such as its expectations; returns its problems. */
  @FunctionalInterface
  public interface DatasetCheck {
    List<String> check(DatasetSpec dataset, Table table);
  }

  public Analyzer(SourceSchemas sourceSchemas, List<DatasetCheck> checks) {
    this.sourceSchemas = sourceSchemas;
    this.checks = List.copyOf(checks);
  }

  /**
   * Analyzes {@code plan}.
   *
   * @throws PipelineDefinitionException naming every problem, each with its fix
   */
  public ResolvedPlan analyze(LogicalPlan plan) {
    return new AnalysisRun(plan, sourceSchemas, checks).analyze();
  }

  static RowType rowType(Table table) {
    return EventTime.rowType(table.getResolvedSchema());
  }
}
