package io.tributary.dsl.plan;

/**
 * How problems of change flows are worded: {@code applyChanges} (a change feed) and
 * {@code applyChangesFromSnapshot} (snapshots), whose messages have one shape, named by the verb.
 * Each says which target, what is wrong and how to fix it, as {@link DefinitionErrors} does.
 */
final class ChangeFeedErrors {

  private static final String CDC = "applyChanges";
  private static final String SNAPSHOT = "applyChangesFromSnapshot";

  private ChangeFeedErrors() {}

  static String cdcTargetWithoutFlow(String dataset) {
    return "Streaming table '"
        + dataset
        + "' is declared with createStreamingTable, but no flow writes to it."
        + " Add p.applyChanges(\""
        + dataset
        + "\")…, or declare it with p.streamingTable(\""
        + dataset
        + "\") and give it a query.";
  }

  static String cdcTargetWithQuery(DatasetSpec dataset) {
    return "Streaming table '"
        + dataset.name()
        + "' is declared with createStreamingTable, whose rows come"
        + " only from flows such as applyChanges, but it also has a query ("
        + String.join("; ", dataset.queries().stream().map(Query::describe).toList())
        + "). Remove the query,"
        + " or declare it with p.streamingTable(\""
        + dataset.name()
        + "\") and no applyChanges.";
  }

  static String cdcTargetUndefined(String target) {
    return targetUndefined(CDC, target);
  }

  static String cdcTargetNotCreated(String target, DatasetSpec dataset) {
    return targetNotCreated(CDC, target, dataset, "A change-data-capture target");
  }

  static String cdcMultipleFlows(String target, int count) {
    return "applyChanges into '"
        + target
        + "' is declared "
        + count
        + " times. Tributary applies one change"
        + " feed per target: union the feeds in a view and apply that.";
  }

  static String cdcMissing(String target, String what, String call) {
    return missing(CDC, target, what, call);
  }

  static String cdcBothColumnLists(String target) {
    return bothLists(CDC, target, "columnList", "exceptColumnList");
  }

  static String cdcBothHistoryLists(String target) {
    return bothLists(CDC, target, "trackHistoryColumnList", "trackHistoryExceptColumnList");
  }

  static String cdcHistoryOnType1(String target) {
    return historyOnType1(CDC, target);
  }

  static String cdcTruncatesOnType2(String target) {
    return "applyChanges into '"
        + target
        + "' sets applyAsTruncates, which only SCD type 1 supports (a truncate"
        + " would erase SCD type 2 history). Remove it, or use storedAsScdType(1).";
  }

  static String cdcScdType(String target, int type) {
    return scdType(CDC, target, type, "latest row per key");
  }

  static String snapshotTargetUndefined(String target) {
    return targetUndefined(SNAPSHOT, target);
  }

  static String snapshotTargetNotCreated(String target, DatasetSpec dataset) {
    return targetNotCreated(SNAPSHOT, target, dataset, "A snapshot target");
  }

  static String snapshotTargetAlsoApplyChanges(String target) {
    return "Streaming table '"
        + target
        + "' is written both by applyChangesFromSnapshot and by applyChanges."
        + " A snapshot flow owns its target (each snapshot replaces what the previous one said): write them to"
        + " two tables.";
  }

  static String snapshotMultipleFlows(String target, int count) {
    return "applyChangesFromSnapshot into '"
        + target
        + "' is declared "
        + count
        + " times. A target has one"
        + " snapshot source: remove all but one.";
  }

  static String snapshotMissing(String target, String what, String call) {
    return missing(SNAPSHOT, target, what, call);
  }

  static String snapshotScdType(String target, int type) {
    return scdType(SNAPSHOT, target, type, "the latest snapshot's rows");
  }

  static String snapshotBothLists(String target, String list, String exceptList) {
    return bothLists(SNAPSHOT, target, list, exceptList);
  }

  static String snapshotHistoryOnType1(String target) {
    return historyOnType1(SNAPSHOT, target);
  }

  private static String targetUndefined(String verb, String target) {
    return verb
        + " into '"
        + target
        + "': the target is not defined. Declare it with"
        + " p.createStreamingTable(\""
        + target
        + "\").";
  }

  private static String targetNotCreated(
      String verb, String target, DatasetSpec dataset, String kindOfTarget) {
    return verb
        + " into '"
        + target
        + "': the target is a "
        + dataset.kind().displayName()
        + (dataset.queries().isEmpty() ? "" : " with a query of its own")
        + ". "
        + kindOfTarget
        + " must be declared with p.createStreamingTable(\""
        + target
        + "\").";
  }

  private static String missing(String verb, String target, String what, String call) {
    return verb
        + " into '"
        + target
        + "' has no "
        + what
        + ". Add "
        + call
        + " to p."
        + verb
        + "(\""
        + target
        + "\").";
  }

  private static String bothLists(String verb, String target, String list, String exceptList) {
    return verb
        + " into '"
        + target
        + "' sets both "
        + list
        + " and "
        + exceptList
        + "."
        + " They are mutually exclusive: keep one.";
  }

  private static String historyOnType1(String verb, String target) {
    return verb
        + " into '"
        + target
        + "' tracks history columns, but is stored as SCD type 1, which keeps"
        + " no history. Use storedAsScdType(2), or remove the history column list.";
  }

  private static String scdType(String verb, String target, int type, String typeOneKeeps) {
    return verb
        + " into '"
        + target
        + "' is stored as SCD type "
        + type
        + ". Use storedAsScdType(1)"
        + " ("
        + typeOneKeeps
        + ") or storedAsScdType(2) (a row per version).";
  }
}
