package io.tributary.dsl.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code applyChanges} flow: a change feed applied by key to a target streaming table, as SCD
 * type 1 (latest row per key) or type 2 (a row per version). Records what the user said; whether it
 * is complete and consistent is checked by {@code Pipeline.build()}.
 */
public record ApplyChangesSpec(
    String target,
    Optional<String> source,
    List<String> keys,
    List<String> sequenceBy,
    Optional<String> applyAsDeletes,
    Optional<String> applyAsTruncates,
    List<String> columnList,
    List<String> exceptColumnList,
    boolean ignoreNullUpdates,
    int scdType,
    List<String> trackHistoryColumnList,
    List<String> trackHistoryExceptColumnList) {

  public ApplyChangesSpec {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(applyAsDeletes, "applyAsDeletes");
    Objects.requireNonNull(applyAsTruncates, "applyAsTruncates");
    keys = List.copyOf(keys);
    sequenceBy = List.copyOf(sequenceBy);
    columnList = List.copyOf(columnList);
    exceptColumnList = List.copyOf(exceptColumnList);
    trackHistoryColumnList = List.copyOf(trackHistoryColumnList);
    trackHistoryExceptColumnList = List.copyOf(trackHistoryExceptColumnList);
  }

  /** A flow into {@code target} with DLT's defaults: SCD type 1, no options. */
  public static ApplyChangesSpec into(String target) {
    return new ApplyChangesSpec(
        target,
        Optional.empty(),
        List.of(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of(),
        false,
        1,
        List.of(),
        List.of());
  }

  /** The flow's name: DLT names an apply-changes flow after its target. */
  public String flowName() {
    return target;
  }

  public ApplyChangesSpec withSource(String dataset) {
    return new ApplyChangesSpec(
        target,
        Optional.of(dataset),
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withKeys(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        columns,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withSequenceBy(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        columns,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withApplyAsDeletes(String condition) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        Optional.of(condition),
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withApplyAsTruncates(String condition) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        Optional.of(condition),
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withColumnList(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columns,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withExceptColumnList(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        columns,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withIgnoreNullUpdates(boolean ignore) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignore,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withScdType(int type) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        type,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withTrackHistoryColumnList(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        columns,
        trackHistoryExceptColumnList);
  }

  public ApplyChangesSpec withTrackHistoryExceptColumnList(List<String> columns) {
    return new ApplyChangesSpec(
        target,
        source,
        keys,
        sequenceBy,
        applyAsDeletes,
        applyAsTruncates,
        columnList,
        exceptColumnList,
        ignoreNullUpdates,
        scdType,
        trackHistoryColumnList,
        columns);
  }

  List<String> describeLines() {
    List<String> lines = new ArrayList<>();
    lines.add("apply changes into " + target);
    source.ifPresent(s -> lines.add("  from " + ReadMode.STREAM.describe(s)));
    lines.add("  keys " + keys + " sequence by " + sequenceBy + " scd type " + scdType);
    applyAsDeletes.ifPresent(c -> lines.add("  apply as deletes " + c));
    applyAsTruncates.ifPresent(c -> lines.add("  apply as truncates " + c));
    if (!columnList.isEmpty()) {
      lines.add("  columns " + columnList);
    }
    if (!exceptColumnList.isEmpty()) {
      lines.add("  except columns " + exceptColumnList);
    }
    if (ignoreNullUpdates) {
      lines.add("  ignore null updates");
    }
    if (!trackHistoryColumnList.isEmpty()) {
      lines.add("  track history " + trackHistoryColumnList);
    }
    if (!trackHistoryExceptColumnList.isEmpty()) {
      lines.add("  track history except " + trackHistoryExceptColumnList);
    }
    return lines;
  }
}
