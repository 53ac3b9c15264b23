package io.tributary.dsl.plan;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The one place where definition problems are worded. Each message says where (the dataset or
 * flow), what is wrong, and how to fix it; tests assert whole messages.
 */
public final class DefinitionErrors {

  private DefinitionErrors() {}

  static String invalidName(String what, String name) {
    StringBuilder shown = new StringBuilder(); // control characters (NUL, a line end) as escapes, not raw
    name.chars().forEach(c -> shown.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : (char) c));
    return what + " '" + shown + "': the name is not a valid identifier. Use letters, digits and underscores,"
        + " starting with a letter or an underscore, at most 128 characters (it names a folder under the"
        + " pipeline's storage).";
  }

  static String duplicateDataset(List<DatasetSpec> same) {
    String declared =
        String.join(", ", same.stream().map(d -> d.kind().displayName() + " '" + d.name() + "'").toList());
    return "Dataset '" + same.get(0).name() + "' is defined " + same.size() + " times (as " + declared
        + "). Names are case-insensitive and unique per pipeline (each names a folder): rename all but one.";
  }

  static String missingQuery(DatasetSpec dataset) {
    return "Dataset '" + dataset.name() + "' (" + dataset.kind().displayName() + ") has no query. Define its rows"
        + " with from(…), query(…) or sql(…).";
  }

  static String multipleQueries(DatasetSpec dataset) {
    return "Dataset '" + dataset.name() + "' has " + dataset.queries().size() + " queries ("
        + String.join("; ", dataset.queries().stream().map(Query::describe).toList())
        + "). A dataset has one query: keep one of them.";
  }

  public static String undefinedInput(String dataset, String input, Collection<String> defined, String call) {
    return "Dataset '" + dataset + "': input '" + input + "' is not defined. Defined datasets: "
        + new TreeSet<>(defined) + ". Check the name passed to " + call + ".";
  }

  static String cycle(List<String> path) {
    return "Datasets form a cycle: " + String.join(" -> ", path) + ". A dataset cannot read itself, directly or"
        + " through other datasets: remove one of these reads.";
  }

  public static String streamReadOfMaterializedTable(String dataset, String input) {
    return streamReadOfMaterializedTable("Dataset", dataset, input);
  }

  /** As {@link #streamReadOfMaterializedTable(String, String)}, for a reader that is a dataset or a flow. */
  public static String streamReadOfMaterializedTable(String what, String reader, String input) {
    return what + " '" + reader + "' reads table '" + input + "' as a stream, but '" + input + "' is a"
        + " materialized table, recomputed on every update, so it has no stream of new rows. Read it as a"
        + " snapshot (from(…) on a table or view, ctx.read(…)), or make '" + input + "' a streaming table.";
  }

  public static String streamReadOfCdcTarget(String dataset, String input) {
    return streamReadOfCdcTarget("Dataset", dataset, input);
  }

  /** As {@link #streamReadOfCdcTarget(String, String)}, for a reader that is a dataset or a flow. */
  public static String streamReadOfCdcTarget(String what, String reader, String input) {
    return what + " '" + reader + "' reads '" + input + "' as a stream, but '" + input + "' is an applyChanges"
        + " target whose commits update and delete rows, so it has no stream of new rows. Read it as a snapshot"
        + " from a table or view: from(\"" + input + "\") or ctx.read(\"" + input + "\").";
  }

  static String quarantineWithoutDrop(String dataset) {
    return "Dataset '" + dataset + "' asks for quarantine() but has no expect_or_drop expectation, so it drops"
        + " nothing to keep. Add expectOrDrop(…) or expectAllOrDrop(…), or remove quarantine().";
  }

  static String quarantineNameTaken(String dataset, String table) {
    return "Dataset '" + dataset + "' asks for quarantine(), whose table '" + table + "' is also a dataset of the"
        + " pipeline. Rename that dataset.";
  }

  static String cdcTargetWithoutFlow(String dataset) {
    return "Streaming table '" + dataset + "' is declared with createStreamingTable, but no flow writes to it."
        + " Add p.applyChanges(\"" + dataset + "\")…, or declare it with p.streamingTable(\"" + dataset
        + "\") and give it a query.";
  }

  static String cdcTargetWithQuery(DatasetSpec dataset) {
    return "Streaming table '" + dataset.name() + "' is declared with createStreamingTable, whose rows come"
        + " only from flows such as applyChanges, but it also has a query ("
        + String.join("; ", dataset.queries().stream().map(Query::describe).toList()) + "). Remove the query,"
        + " or declare it with p.streamingTable(\"" + dataset.name() + "\") and no applyChanges.";
  }

  static String cdcTargetUndefined(String target) {
    return "applyChanges into '" + target + "': the target is not defined. Declare it with"
        + " p.createStreamingTable(\"" + target + "\").";
  }

  static String cdcTargetNotCreated(String target, DatasetSpec dataset) {
    return "applyChanges into '" + target + "': the target is a " + dataset.kind().displayName()
        + (dataset.queries().isEmpty() ? "" : " with a query of its own")
        + ". A change-data-capture target must be declared with p.createStreamingTable(\"" + target + "\").";
  }

  static String cdcMultipleFlows(String target, int count) {
    return "applyChanges into '" + target + "' is declared " + count + " times. Tributary applies one change"
        + " feed per target: union the feeds in a view and apply that.";
  }

  static String cdcMissing(String target, String what, String call) {
    return "applyChanges into '" + target + "' has no " + what + ". Add " + call + " to p.applyChanges(\""
        + target + "\").";
  }

  static String cdcBothColumnLists(String target) {
    return "applyChanges into '" + target + "' sets both columnList and exceptColumnList. They are mutually"
        + " exclusive: keep one.";
  }

  static String cdcBothHistoryLists(String target) {
    return "applyChanges into '" + target + "' sets both trackHistoryColumnList and"
        + " trackHistoryExceptColumnList. They are mutually exclusive: keep one.";
  }

  static String cdcHistoryOnType1(String target) {
    return "applyChanges into '" + target + "' tracks history columns, but is stored as SCD type 1, which keeps"
        + " no history. Use storedAsScdType(2), or remove the history column list.";
  }

  static String cdcTruncatesOnType2(String target) {
    return "applyChanges into '" + target + "' sets applyAsTruncates, which only SCD type 1 supports (a truncate"
        + " would erase SCD type 2 history). Remove it, or use storedAsScdType(1).";
  }

  static String cdcScdType(String target, int type) {
    return "applyChanges into '" + target + "' is stored as SCD type " + type + ". Use storedAsScdType(1)"
        + " (latest row per key) or storedAsScdType(2) (a row per version).";
  }

  static String snapshotTargetUndefined(String target) {
    return "applyChangesFromSnapshot into '" + target + "': the target is not defined. Declare it with"
        + " p.createStreamingTable(\"" + target + "\").";
  }

  static String snapshotTargetNotCreated(String target, DatasetSpec dataset) {
    return "applyChangesFromSnapshot into '" + target + "': the target is a " + dataset.kind().displayName()
        + (dataset.queries().isEmpty() ? "" : " with a query of its own")
        + ". A snapshot target must be declared with p.createStreamingTable(\"" + target + "\").";
  }

  static String snapshotTargetAlsoApplyChanges(String target) {
    return "Streaming table '" + target + "' is written both by applyChangesFromSnapshot and by applyChanges."
        + " A snapshot flow owns its target (each snapshot replaces what the previous one said): write them to"
        + " two tables.";
  }

  static String snapshotMultipleFlows(String target, int count) {
    return "applyChangesFromSnapshot into '" + target + "' is declared " + count + " times. A target has one"
        + " snapshot source: remove all but one.";
  }

  static String snapshotMissing(String target, String what, String call) {
    return "applyChangesFromSnapshot into '" + target + "' has no " + what + ". Add " + call
        + " to p.applyChangesFromSnapshot(\"" + target + "\").";
  }

  static String snapshotScdType(String target, int type) {
    return "applyChangesFromSnapshot into '" + target + "' is stored as SCD type " + type + ". Use"
        + " storedAsScdType(1) (the latest snapshot's rows) or storedAsScdType(2) (a row per version).";
  }

  static String snapshotBothLists(String target, String list, String exceptList) {
    return "applyChangesFromSnapshot into '" + target + "' sets both " + list + " and " + exceptList + "."
        + " They are mutually exclusive: keep one.";
  }

  static String snapshotHistoryOnType1(String target) {
    return "applyChangesFromSnapshot into '" + target + "' tracks history columns, but is stored as SCD type 1,"
        + " which keeps no history. Use storedAsScdType(2), or remove the history column list.";
  }

  static String duplicateExpectation(String dataset, String expectation, int count) {
    return "Dataset '" + dataset + "': expectation '" + expectation + "' is defined " + count
        + " times. Expectation names are unique per dataset: rename all but one.";
  }

  static String blankConstraint(String dataset, String expectation) {
    return "Dataset '" + dataset + "': the constraint of expectation '" + expectation + "' is blank. Give it a"
        + " SQL boolean expression over the dataset's columns, such as \"order_id IS NOT NULL\".";
  }

  /** A {@code DeltaSource} without a path. */
  public static String deltaSourceBlankPath() {
    return "DeltaSource.path needs the path of a Delta table (the folder holding _delta_log), got a blank path.";
  }

  /** A {@code DeltaSource} option with a value it cannot take; {@code fix} says which it can. */
  public static String deltaSourceOption(String path, String key, String value, String fix) {
    return "DeltaSource on '" + path + "': option " + key + " is '" + value + "'. " + fix;
  }

  /** A {@code DeltaSource} option it does not know. */
  public static String deltaSourceUnknownOption(String path, String key, Collection<String> known) {
    return "DeltaSource on '" + path + "': unknown option '" + key + "'. Known options: " + known + ".";
  }

  /** A {@code DeltaSource} path that holds no Delta table (analysis prefixes the dataset). */
  public static String deltaSourceNotATable(String path) {
    return "DeltaSource '" + path + "' is not a Delta table (no _delta_log with a commit). Check the path given"
        + " to DeltaSource.path(), or write the table first (run the pipeline that writes it).";
  }

  static String duplicateFlow(String flow, int count) {
    return "Flow '" + flow + "' is defined " + count + " times. Flow names are case-insensitive and unique per"
        + " pipeline (each names the flow's state and its events): rename all but one.";
  }

  static String flowNamedLikeDataset(String flow, DatasetSpec dataset) {
    return "Flow '" + flow + "' has the name of " + dataset.kind().displayName() + " '" + dataset.name()
        + "', whose own query is the flow of that name. Rename the flow, such as '" + flow + "_flow'.";
  }

  static String appendFlowWithoutTarget(String flow) {
    return "Flow '" + flow + "' has no target. Name the streaming table it appends to:"
        + " p.appendFlow(\"" + flow + "\").target(\"<streaming table>\").";
  }

  static String appendFlowTargetUndefined(String flow, String target, Collection<String> streamingTables) {
    return "Flow '" + flow + "': target '" + target + "' is not defined. Streaming tables: "
        + new TreeSet<>(streamingTables) + ". Declare it with p.createStreamingTable(\"" + target
        + "\"), or check the name passed to target().";
  }

  static String appendFlowTargetNotStreaming(String flow, DatasetSpec target) {
    return "Flow '" + flow + "': target '" + target.name() + "' is a " + target.kind().displayName()
        + ", but flows append only to streaming tables. Declare it with p.createStreamingTable(\""
        + target.name() + "\").";
  }

  static String appendFlowIntoApplyChangesTarget(String flow, String target) {
    return "Flow '" + flow + "': target '" + target + "' is written by applyChanges, which updates and deletes"
        + " its rows by key; appended rows would bypass that. Append to another streaming table, or feed this"
        + " flow's rows into the change feed that applyChanges reads.";
  }

  static String appendFlowWithoutQuery(String flow) {
    return "Flow '" + flow + "' has no query. Define its rows with from(…), query(…) or sql(…).";
  }

  static String appendFlowWithQueries(AppendFlowSpec flow) {
    return "Flow '" + flow.name() + "' has " + flow.queries().size() + " queries ("
        + String.join("; ", flow.queries().stream().map(Query::describe).toList())
        + "). A flow has one query: keep one of them, or declare another flow for the other.";
  }

  static String appendFlowUndefinedInput(String flow, String input, Collection<String> defined) {
    return appendFlowUndefinedInput(flow, input, defined, "the flow's query");
  }

  /** A flow's query reads a dataset the pipeline does not define; {@code call} is where the name was passed. */
  public static String appendFlowUndefinedInput(String flow, String input, Collection<String> defined, String call) {
    return "Flow '" + flow + "': input '" + input + "' is not defined. Defined datasets: "
        + new TreeSet<>(defined) + ". Check the name passed to " + call + ".";
  }

  static String streamReadOfBackfilledTable(String what, String reader, String input) {
    return what + " '" + reader + "' reads '" + input + "' as a stream, but only once flows write '" + input
        + "', so no stream of new rows flows out of it. Read it as a snapshot from a table or view"
        + " (ctx.read(\"" + input + "\")), or add a streaming appendFlow into it.";
  }

  static String onceFlowStreamRead(String flow, String input) {
    return "Flow '" + flow + "' runs once and reads '" + input + "' as a stream. A once flow reads its inputs"
        + " one time, as a snapshot: read '" + input + "' without STREAM() (ctx.read(\"" + input
        + "\")), or remove once().";
  }

  /** Two flows into one streaming table produce different columns. */
  public static String appendFlowSchemaMismatch(String flow, String target, String targetColumns,
      String flowColumns, String firstFlow) {
    return "Flow '" + flow + "' appends to '" + target + "' the columns " + flowColumns + ", but '" + target
        + "' has the columns " + targetColumns + " (from " + firstFlow + "). Every flow into a streaming table"
        + " produces the same column names and types, in any order: select, rename or CAST the flow's columns"
        + " to match (NULL AS a missing column).";
  }

  /** A lookup join's dimension is a view, which has no stored rows to look up. */
  public static String lookupOfView(String what, String reader, String view) {
    return what + " '" + reader + "' looks up view '" + view + "' (a lookup join), but a view is not stored:"
        + " a lookup reads the latest version of a table. Make '" + view + "' a table with p.table(\"" + view
        + "\") (or a streaming table), or join the view's inputs instead.";
  }

  /** A lookup join's dimension and stream both have a non-key column of one name. */
  public static String lookupJoinColumnClash(String reader, String dimension, List<String> columns) {
    return "Dataset '" + reader + "': ctx.lookupJoin(…, \"" + dimension + "\", …) would produce column"
        + (columns.size() == 1 ? " '" + columns.get(0) + "' twice: it is" : "s " + columns + " twice: they are")
        + " in the stream and in '" + dimension + "' and not join keys. Rename or drop "
        + (columns.size() == 1 ? "it" : "them") + " in the stream (renameColumns, dropColumns), or in '"
        + dimension + "'.";
  }

  /** A lookup join names no key, or a key one side does not have. */
  public static String lookupJoinKeys(String reader, String dimension, List<String> keys, List<String> streamColumns,
      List<String> dimensionColumns) {
    return "Dataset '" + reader + "': ctx.lookupJoin(…, \"" + dimension + "\", " + keys + ") needs join keys"
        + " that are columns of both the stream " + streamColumns + " and '" + dimension + "' "
        + dimensionColumns + ". Name at least one column both have, or rename the stream's column to match.";
  }
}
