package io.tributary.dsl.plan;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The one place where definition problems are worded. Each message says where (the dataset or
 * flow), what is wrong, and how to fix it; tests assert whole messages. This class words the problems
 * of names, datasets, their reads and lookups, and a {@code DeltaSource}'s, with every message other
 * modules need; {@link ChangeFeedErrors} words those of applyChanges and applyChangesFromSnapshot,
 * {@link FlowErrors} the other problems of flows.
 */
public final class DefinitionErrors {

  private DefinitionErrors() {}

  static String invalidName(String what, String name) {
    StringBuilder shown =
        new StringBuilder(); // control characters (NUL, a line end) as escapes, not raw
    name.chars()
        .forEach(
            c -> shown.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : (char) c));
    return what
        + " '"
        + shown
        + "': the name is not a valid identifier. Use letters, digits and underscores,"
        + " starting with a letter or an underscore, at most 128 characters (it names a folder under the"
        + " pipeline's storage).";
  }

  static String duplicateDataset(List<DatasetSpec> same) {
    String declared =
        String.join(
            ", ", same.stream().map(d -> d.kind().displayName() + " '" + d.name() + "'").toList());
    return "Dataset '"
        + same.get(0).name()
        + "' is defined "
        + same.size()
        + " times (as "
        + declared
        + "). Names are case-insensitive and unique per pipeline (each names a folder): rename all but one.";
  }

  static String missingQuery(DatasetSpec dataset) {
    return "Dataset '"
        + dataset.name()
        + "' ("
        + dataset.kind().displayName()
        + ") has no query. Define its rows"
        + " with from(…), query(…) or sql(…).";
  }

  static String multipleQueries(DatasetSpec dataset) {
    return "Dataset '"
        + dataset.name()
        + "' has "
        + dataset.queries().size()
        + " queries ("
        + String.join("; ", dataset.queries().stream().map(Query::describe).toList())
        + "). A dataset has one query: keep one of them.";
  }

  public static String undefinedInput(
      String dataset, String input, Collection<String> defined, String call) {
    return "Dataset '"
        + dataset
        + "': input '"
        + input
        + "' is not defined. Defined datasets: "
        + new TreeSet<>(defined)
        + ". Check the name passed to "
        + call
        + ".";
  }

  static String cycle(List<String> path) {
    return "Datasets form a cycle: "
        + String.join(" -> ", path)
        + ". A dataset cannot read itself, directly or"
        + " through other datasets: remove one of these reads.";
  }

  public static String streamReadOfMaterializedTable(String dataset, String input) {
    return streamReadOfMaterializedTable("Dataset", dataset, input);
  }

  /** As {@link #streamReadOfMaterializedTable(String, String)}, for a reader that is a dataset or a flow. */
  public static String streamReadOfMaterializedTable(String what, String reader, String input) {
    return what
        + " '"
        + reader
        + "' reads table '"
        + input
        + "' as a stream, but '"
        + input
        + "' is a"
        + " materialized table, recomputed on every update, so it has no stream of new rows. Read it as a"
        + " snapshot (from(…) on a table or view, ctx.read(…)), or make '"
        + input
        + "' a streaming table.";
  }

  public static String streamReadOfCdcTarget(String dataset, String input) {
    return streamReadOfCdcTarget("Dataset", dataset, input);
  }

  /** As {@link #streamReadOfCdcTarget(String, String)}, for a reader that is a dataset or a flow. */
  public static String streamReadOfCdcTarget(String what, String reader, String input) {
    return what
        + " '"
        + reader
        + "' reads '"
        + input
        + "' as a stream, but '"
        + input
        + "' is an applyChanges"
        + " target whose commits update and delete rows, so it has no stream of new rows. Read it as a snapshot"
        + " from a table or view: from(\""
        + input
        + "\") or ctx.read(\""
        + input
        + "\").";
  }

  static String quarantineWithoutDrop(String dataset) {
    return "Dataset '"
        + dataset
        + "' asks for quarantine() but has no expect_or_drop expectation, so it drops"
        + " nothing to keep. Add expectOrDrop(…) or expectAllOrDrop(…), or remove quarantine().";
  }

  static String quarantineNameTaken(String dataset, String table) {
    return "Dataset '"
        + dataset
        + "' asks for quarantine(), whose table '"
        + table
        + "' is also a dataset of the"
        + " pipeline. Rename that dataset.";
  }

  static String duplicateExpectation(String dataset, String expectation, int count) {
    return "Dataset '"
        + dataset
        + "': expectation '"
        + expectation
        + "' is defined "
        + count
        + " times. Expectation names are unique per dataset: rename all but one.";
  }

  static String blankConstraint(String dataset, String expectation) {
    return "Dataset '"
        + dataset
        + "': the constraint of expectation '"
        + expectation
        + "' is blank. Give it a"
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
    return "DeltaSource on '"
        + path
        + "': unknown option '"
        + key
        + "'. Known options: "
        + known
        + ".";
  }

  /** A {@code DeltaSource} path that holds no Delta table (analysis prefixes the dataset). */
  public static String deltaSourceNotATable(String path) {
    return "DeltaSource '"
        + path
        + "' is not a Delta table (no _delta_log with a commit). Check the path given"
        + " to DeltaSource.path(), or write the table first (run the pipeline that writes it).";
  }

  /** A flow's query reads a dataset the pipeline does not define; {@code call} is where the name was passed. */
  public static String appendFlowUndefinedInput(
      String flow, String input, Collection<String> defined, String call) {
    return "Flow '"
        + flow
        + "': input '"
        + input
        + "' is not defined. Defined datasets: "
        + new TreeSet<>(defined)
        + ". Check the name passed to "
        + call
        + ".";
  }

  /** Two flows into one streaming table produce different columns. */
  public static String appendFlowSchemaMismatch(
      String flow, String target, String targetColumns, String flowColumns, String firstFlow) {
    return "Flow '"
        + flow
        + "' appends to '"
        + target
        + "' the columns "
        + flowColumns
        + ", but '"
        + target
        + "' has the columns "
        + targetColumns
        + " (from "
        + firstFlow
        + "). Every flow into a streaming table"
        + " produces the same column names and types, in any order: select, rename or CAST the flow's columns"
        + " to match (NULL AS a missing column).";
  }

  /** A lookup join's dimension is a view, which has no stored rows to look up. */
  public static String lookupOfView(String what, String reader, String view) {
    return what
        + " '"
        + reader
        + "' looks up view '"
        + view
        + "' (a lookup join), but a view is not stored:"
        + " a lookup reads the latest version of a table. Make '"
        + view
        + "' a table with p.table(\""
        + view
        + "\") (or a streaming table), or join the view's inputs instead.";
  }

  /** A lookup join's dimension and stream both have a non-key column of one name. */
  public static String lookupJoinColumnClash(
      String reader, String dimension, List<String> columns) {
    return "Dataset '"
        + reader
        + "': ctx.lookupJoin(…, \""
        + dimension
        + "\", …) would produce column"
        + (columns.size() == 1
            ? " '" + columns.get(0) + "' twice: it is"
            : "s " + columns + " twice: they are")
        + " in the stream and in '"
        + dimension
        + "' and not join keys. Rename or drop "
        + (columns.size() == 1 ? "it" : "them")
        + " in the stream (renameColumns, dropColumns), or in '"
        + dimension
        + "'.";
  }

  /** A lookup join names no key, or a key one side does not have. */
  public static String lookupJoinKeys(
      String reader,
      String dimension,
      List<String> keys,
      List<String> streamColumns,
      List<String> dimensionColumns) {
    return "Dataset '"
        + reader
        + "': ctx.lookupJoin(…, \""
        + dimension
        + "\", "
        + keys
        + ") needs join keys"
        + " that are columns of both the stream "
        + streamColumns
        + " and '"
        + dimension
        + "' "
        + dimensionColumns
        + ". Name at least one column both have, or rename the stream's column to match.";
  }
}
