package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.DefinitionErrors;
import java.util.Collection;
import java.util.Objects;

/**
 * What running one query in analysis came to: its table and reads, a problem to report, or an input
 * it could not be given because that input failed (reported already) or is on a cycle (reported
 * with the cycle).
 */
record QueryOutcome(Kind kind, DatasetQueries.Built built, String problem) {

  enum Kind {
    RAN,
    PROBLEM,
    INPUT_FAILED,
    INPUT_BLOCKED
  }

  static QueryOutcome ran(DatasetQueries.Built built) {
    return new QueryOutcome(Kind.RAN, Objects.requireNonNull(built, "built"), null);
  }

  static QueryOutcome problem(String problem) {
    return new QueryOutcome(Kind.PROBLEM, null, Objects.requireNonNull(problem, "problem"));
  }

  static QueryOutcome inputFailed() {
    return new QueryOutcome(Kind.INPUT_FAILED, null, null);
  }

  static QueryOutcome inputBlocked() {
    return new QueryOutcome(Kind.INPUT_BLOCKED, null, null);
  }

  /** Whose query it is: a dataset's or an append flow's, which decides how its problems read. */
  enum Reader {
    DATASET("Dataset '"),
    FLOW("Flow '");

    private final String prefix;

    Reader(String prefix) {
      this.prefix = prefix;
    }

    String undefinedInput(String reader, String input, Collection<String> defined, String call) {
      return this == DATASET
          ? DefinitionErrors.undefinedInput(reader, input, defined, call)
          : DefinitionErrors.appendFlowUndefinedInput(reader, input, defined, call);
    }

    String queryFailed(DatasetSpec query, RuntimeException error) {
      return this == DATASET
          ? AnalysisErrors.queryFailed(query, error)
          : AnalysisErrors.flowQueryFailed(query.name(), error);
    }

    /** An external source's schema could not be derived; {@code message} says why and how to fix it. */
    String sourceSchemaFailed(String reader, String message) {
      return prefix + reader + "': " + message;
    }
  }
}
