package io.tributary.dsl.plan;

import java.util.Collection;
import java.util.TreeSet;

/**
 * How problems of flows are worded: a flow's name, its target, its query, and reads that a flow's
 * kind (once, or appending into a table) does not allow. The messages that other modules need stay
 * public in {@link DefinitionErrors}.
 */
final class FlowErrors {

  private FlowErrors() {}

  static String duplicateFlow(String flow, int count) {
    return "Flow '"
        + flow
        + "' is defined "
        + count
        + " times. Flow names are case-insensitive and unique per"
        + " pipeline (each names the flow's state and its events): rename all but one.";
  }

  static String flowNamedLikeDataset(String flow, DatasetSpec dataset) {
    return "Flow '"
        + flow
        + "' has the name of "
        + dataset.kind().displayName()
        + " '"
        + dataset.name()
        + "', whose own query is the flow of that name. Rename the flow, such as '"
        + flow
        + "_flow'.";
  }

  static String appendFlowWithoutTarget(String flow) {
    return "Flow '"
        + flow
        + "' has no target. Name the streaming table it appends to:"
        + " p.appendFlow(\""
        + flow
        + "\").target(\"<streaming table>\").";
  }

  static String appendFlowTargetUndefined(
      String flow, String target, Collection<String> streamingTables) {
    return "Flow '"
        + flow
        + "': target '"
        + target
        + "' is not defined. Streaming tables: "
        + new TreeSet<>(streamingTables)
        + ". Declare it with p.createStreamingTable(\""
        + target
        + "\"), or check the name passed to target().";
  }

  static String appendFlowTargetNotStreaming(String flow, DatasetSpec target) {
    return "Flow '"
        + flow
        + "': target '"
        + target.name()
        + "' is a "
        + target.kind().displayName()
        + ", but flows append only to streaming tables. Declare it with p.createStreamingTable(\""
        + target.name()
        + "\").";
  }

  static String appendFlowIntoApplyChangesTarget(String flow, String target) {
    return "Flow '"
        + flow
        + "': target '"
        + target
        + "' is written by applyChanges, which updates and deletes"
        + " its rows by key; appended rows would bypass that. Append to another streaming table, or feed this"
        + " flow's rows into the change feed that applyChanges reads.";
  }

  static String appendFlowWithoutQuery(String flow) {
    return "Flow '" + flow + "' has no query. Define its rows with from(…), query(…) or sql(…).";
  }

  static String appendFlowWithQueries(AppendFlowSpec flow) {
    return "Flow '"
        + flow.name()
        + "' has "
        + flow.queries().size()
        + " queries ("
        + String.join("; ", flow.queries().stream().map(Query::describe).toList())
        + "). A flow has one query: keep one of them, or declare another flow for the other.";
  }

  static String appendFlowUndefinedInput(String flow, String input, Collection<String> defined) {
    return DefinitionErrors.appendFlowUndefinedInput(flow, input, defined, "the flow's query");
  }

  static String streamReadOfBackfilledTable(String what, String reader, String input) {
    return what
        + " '"
        + reader
        + "' reads '"
        + input
        + "' as a stream, but only once flows write '"
        + input
        + "', so no stream of new rows flows out of it. Read it as a snapshot from a table or view"
        + " (ctx.read(\""
        + input
        + "\")), or add a streaming appendFlow into it.";
  }

  static String onceFlowStreamRead(String flow, String input) {
    return "Flow '"
        + flow
        + "' runs once and reads '"
        + input
        + "' as a stream. A once flow reads its inputs"
        + " one time, as a snapshot: read '"
        + input
        + "' without STREAM() (ctx.read(\""
        + input
        + "\")), or remove once().";
  }
}
