package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DatasetSpec;
import java.util.ArrayList;
import java.util.List;

/** The words of the analyzer's problems: where, what, why, and the fix. */
final class AnalysisErrors {

  private AnalysisErrors() {}

  static String noFirstSnapshot(String target) {
    return "applyChangesFromSnapshot into '"
        + target
        + "': the snapshot function"
        + " returned no snapshot for Optional.empty() (no version applied yet), so the target's columns are"
        + " unknown. Return the first snapshot (its rows may be empty) when given no version.";
  }

  static String snapshotFunctionFailed(String target, RuntimeException e) {
    return "applyChangesFromSnapshot into '"
        + target
        + "': the snapshot function failed: "
        + e.getMessage();
  }

  static String snapshotFunctionReadsDataset(String target, String dataset) {
    return "applyChangesFromSnapshot into '"
        + target
        + "': the snapshot function reads dataset '"
        + dataset
        + "' of the pipeline. A snapshot function reads from outside the pipeline; to apply snapshots of a"
        + " dataset, use fromSnapshot(\""
        + dataset
        + "\").";
  }

  static String queryFailed(DatasetSpec dataset, Throwable error) {
    return "Dataset '"
        + dataset.name()
        + "': its query is not valid: "
        + rootMessage(error)
        + ". Fix the query of '"
        + dataset.name()
        + "'.";
  }

  static String updatingStreamingQuery(DatasetSpec dataset, Throwable error) {
    return "Streaming table '"
        + dataset.name()
        + "': its query produces updates to rows it already emitted ("
        + firstLine(error.getMessage())
        + "), but a streaming table only appends. Give the aggregation or join"
        + " a time window and a watermark, or make '"
        + dataset.name()
        + "' a materialized table with"
        + " p.table(\""
        + dataset.name()
        + "\").";
  }

  static String snapshotReadInStreamingTable(DatasetSpec reader, String table, String throughView) {
    return "Streaming table '"
        + reader.name()
        + "' reads a snapshot of '"
        + table
        + "'"
        + (throughView.isEmpty() ? "" : " (through view '" + throughView + "')")
        + ": joined with a stream, it"
        + " would keep the rows '"
        + table
        + "' had when the job started. "
        + lookupFix(table)
        + " Or make '"
        + reader.name()
        + "' a materialized table with p.table(\""
        + reader.name()
        + "\").";
  }

  /** How to join a stream with a table's latest version, in both forms. */
  private static String lookupFix(String table) {
    return "Look '"
        + table
        + "' up instead, at its latest version for each new row: ctx.lookupJoin(stream, \""
        + table
        + "\", keys…) or ctx.leftLookupJoin(…), or in SQL JOIN "
        + table
        + " FOR SYSTEM_TIME AS OF"
        + " s.proc_time, with PROCTIME() AS proc_time selected on the stream s.";
  }

  static String rootMessage(Throwable error) {
    Throwable cause = error;
    String message = firstLine(error.getMessage());
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
      if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
        message = firstLine(cause.getMessage());
      }
    }
    return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.strip().lines().findFirst().orElse("");
  }

  static String flowQueryFailed(String flow, Throwable error) {
    return "Flow '"
        + flow
        + "': its query is not valid: "
        + rootMessage(error)
        + ". Fix the query of flow '"
        + flow
        + "'.";
  }

  static String updatingFlowQuery(String flow, String target, Throwable error) {
    return "Flow '"
        + flow
        + "' into '"
        + target
        + "': its query produces updates to rows it already emitted ("
        + firstLine(error.getMessage())
        + "), but a flow into a streaming table only appends. Give the"
        + " aggregation or join a time window and a watermark, or make it a materialized table.";
  }

  static String snapshotReadInFlow(String flow, String table) {
    return "Flow '"
        + flow
        + "' streams and reads a snapshot of '"
        + table
        + "': joined with a stream, it would"
        + " keep the rows '"
        + table
        + "' had when the job started. "
        + lookupFix(table)
        + " Or read '"
        + table
        + "' as a stream, or make the flow a backfill with once().";
  }

  /**
   * A query whose columns do not match its table's declared schema: every missing, extra and
   * mistyped column at once, both column lists, and the fix.
   */
  static String declaredSchemaMismatch(
      DatasetSpec table,
      List<String> missing,
      List<String> extra,
      List<String> mistyped,
      String declared,
      String produced) {
    List<String> differences = new ArrayList<>();
    if (!missing.isEmpty()) {
      differences.add("missing " + missing + " (declared, not produced by the query)");
    }
    if (!extra.isEmpty()) {
      differences.add("extra " + extra + " (produced by the query, not declared)");
    }
    if (!mistyped.isEmpty()) {
      differences.add("mistyped " + mistyped);
    }
    return capitalized(table.kind().displayName())
        + " '"
        + table.name()
        + "': its query's columns do not match"
        + " the schema declared with schema(): "
        + String.join("; ", differences)
        + ". Declared: "
        + declared
        + "; the query produces: "
        + produced
        + ". Change the query (select, rename or CAST its columns) or the"
        + " column list passed to schema() so that they match.";
  }

  static String invalidDeclaredSchema(DatasetSpec table, String ddl, String reason) {
    return capitalized(table.kind().displayName())
        + " '"
        + table.name()
        + "': the schema declared with schema(\""
        + ddl
        + "\") is not a valid column list: "
        + reason
        + ". Write it as \"name TYPE [NOT NULL] [COMMENT"
        + " '…'], …\", in Flink SQL's types.";
  }

  private static String capitalized(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
