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
    DATASET {
      @Override
      String undefinedInput(String reader, String input, Collection<String> defined, String call) {
        return DefinitionErrors.undefinedInput(reader, input, defined, call);
      }

      @Override
      String queryFailed(DatasetSpec query, RuntimeException error) {
        return AnalysisErrors.queryFailed(query, error);
      }

      @Override
      String sourceSchemaFailed(String reader, String message) {
        return "Dataset '" + reader + "': " + message;
      }
    },
    FLOW {
      @Override
      String undefinedInput(String reader, String input, Collection<String> defined, String call) {
        return DefinitionErrors.appendFlowUndefinedInput(reader, input, defined, call);
      }

      @Override
      String queryFailed(DatasetSpec query, RuntimeException error) {
        return AnalysisErrors.flowQueryFailed(query.name(), error);
      }

      @Override
      String sourceSchemaFailed(String reader, String message) {
        return "Flow '" + reader + "': " + message;
      }
    };

    abstract String undefinedInput(String reader, String input, Collection<String> defined, String call);

    abstract String queryFailed(DatasetSpec query, RuntimeException error);

    /** An external source's schema could not be derived; {@code message} says why and how to fix it. */
    abstract String sourceSchemaFailed(String reader, String message);
  }
}
