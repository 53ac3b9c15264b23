package io.tributary.dsl.plan;

import io.tributary.dsl.SnapshotFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code applyChangesFromSnapshot} flow: full snapshots of a source, each diffed against the
 * previous one and applied by key to a target streaming table as SCD type 1 or 2. The source is a
 * dataset of the pipeline (one snapshot per update) or a {@link SnapshotFunction} (as many versions as
 * it returns). Records what the user said; {@code Pipeline.build()} checks it.
 */
public record SnapshotChangesSpec(
    String target,
    Optional<String> sourceDataset,
    Optional<SnapshotFunction> sourceFunction,
    List<String> keys,
    List<String> columnList,
    List<String> exceptColumnList,
    int scdType,
    List<String> trackHistoryColumnList,
    List<String> trackHistoryExceptColumnList) {

  public SnapshotChangesSpec {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(sourceDataset, "sourceDataset");
    Objects.requireNonNull(sourceFunction, "sourceFunction");
    keys = List.copyOf(keys);
    columnList = List.copyOf(columnList);
    exceptColumnList = List.copyOf(exceptColumnList);
    trackHistoryColumnList = List.copyOf(trackHistoryColumnList);
    trackHistoryExceptColumnList = List.copyOf(trackHistoryExceptColumnList);
  }

  /** A flow into {@code target} with DLT's defaults: SCD type 1, no source yet. */
  public static SnapshotChangesSpec into(String target) {
    return new SnapshotChangesSpec(
        target,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        1,
        List.of(),
        List.of());
  }

  /** The flow's name: DLT names it after its target. */
  public String flowName() {
    return target;
  }

  public SnapshotChangesSpec withSourceDataset(String dataset) {
    return new SnapshotChangesSpec(
        target,
        Optional.of(dataset),
        sourceFunction,
        keys,
        columnList,
        exceptColumnList,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withSourceFunction(SnapshotFunction function) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        Optional.of(function),
        keys,
        columnList,
        exceptColumnList,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withKeys(List<String> columns) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        columns,
        columnList,
        exceptColumnList,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withColumnList(List<String> columns) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        keys,
        columns,
        exceptColumnList,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withExceptColumnList(List<String> columns) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        keys,
        columnList,
        columns,
        scdType,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withScdType(int type) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        keys,
        columnList,
        exceptColumnList,
        type,
        trackHistoryColumnList,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withTrackHistoryColumnList(List<String> columns) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        keys,
        columnList,
        exceptColumnList,
        scdType,
        columns,
        trackHistoryExceptColumnList);
  }

  public SnapshotChangesSpec withTrackHistoryExceptColumnList(List<String> columns) {
    return new SnapshotChangesSpec(
        target,
        sourceDataset,
        sourceFunction,
        keys,
        columnList,
        exceptColumnList,
        scdType,
        trackHistoryColumnList,
        columns);
  }

  /**
   * The same flow as an {@link ApplyChangesSpec} over the change feed its diffs make: the snapshot's
   * columns plus {@code versionColumn} (the snapshot version, its sequence), which the target does not
   * keep. The cdc module lays out and merges that feed as it does any other.
   */
  public ApplyChangesSpec changeFeed(String versionColumn) {
    ApplyChangesSpec spec =
        ApplyChangesSpec.into(target)
            .withKeys(keys)
            .withSequenceBy(List.of(versionColumn))
            .withScdType(scdType)
            .withTrackHistoryColumnList(trackHistoryColumnList)
            .withTrackHistoryExceptColumnList(trackHistoryExceptColumnList);
    if (!columnList.isEmpty()) {
      return spec.withColumnList(columnList).withExceptColumnList(exceptColumnList);
    }
    List<String> except = new ArrayList<>(exceptColumnList);
    except.add(versionColumn);
    return spec.withExceptColumnList(except);
  }

  List<String> describeLines() {
    List<String> lines = new ArrayList<>();
    lines.add("apply changes from snapshot into " + target);
    sourceDataset.ifPresent(s -> lines.add("  from " + ReadMode.SNAPSHOT.describe(s)));
    sourceFunction.ifPresent(f -> lines.add("  from <snapshot function>"));
    lines.add("  keys " + keys + " scd type " + scdType);
    if (!columnList.isEmpty()) {
      lines.add("  columns " + columnList);
    }
    if (!exceptColumnList.isEmpty()) {
      lines.add("  except columns " + exceptColumnList);
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
