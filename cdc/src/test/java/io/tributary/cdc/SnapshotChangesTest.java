package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.plan.SnapshotChangesSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * The snapshot diff and its application: runs of snapshots diffed against the target as it stands
 * and applied with the same mergers as applyChanges, each run starting from empty merger state as a
 * job does; the target is compared whole after each run.
 */
class SnapshotChangesTest {

  static final RowType SNAPSHOT =
      RowType.of(
          new LogicalType[] {new IntType(false), VarCharType.STRING_TYPE, VarCharType.STRING_TYPE},
          new String[] {"id", "name", "note"});

  static SnapshotChangesSpec spec(int scdType) {
    return SnapshotChangesSpec.into("products")
        .withSourceDataset("export")
        .withKeys(List.of("id"))
        .withScdType(scdType)
        .withExceptColumnList(List.of("note"));
  }

  static RowData row(int id, String name, String note) {
    return GenericRowData.of(id, StringData.fromString(name), StringData.fromString(note));
  }

  /** A target in memory, changed by runs of snapshots as the translator's job changes the Delta table. */
  static final class Target {
    final SnapshotChanges changes;
    final ChangelogTable table;
    final Random random = new Random(7);

    Target(SnapshotChangesSpec spec) {
      changes = SnapshotChanges.of(spec, SNAPSHOT);
      table = new ChangelogTable(changes.layout());
    }

    /** Applies the snapshots (version → rows) as one run; the diff's input arrives shuffled. */
    Target run(Map<Long, List<RowData>> snapshots) throws Exception {
      List<RowData> input = new ArrayList<>();
      for (RowData current : table.rows()) {
        if (changes.isCurrent(current)) {
          input.add(changes.previousRow().map(current));
        }
      }
      snapshots.forEach(
          (version, rows) -> rows.forEach(r -> input.add(changes.snapshotRow(r, version))));
      Collections.shuffle(input, random);
      long[] versions = snapshots.keySet().stream().mapToLong(Long::longValue).toArray();
      Map<RowData, List<RowData>> byKey = new LinkedHashMap<>();
      input.forEach(
          r -> byKey.computeIfAbsent(changes.layout().key(r), k -> new ArrayList<>()).add(r));
      SnapshotDiff diff = new SnapshotDiff(changes, versions);
      List<RowData> feed = new ArrayList<>();
      byKey.values().forEach(rows -> feed.addAll(diff.diff(rows)));
      // one change at a time, in the diff's order, as the job's keyed functions apply them (a batch
      // would merge a replayed row and its delete into nothing, as if the key had never been there)
      InMemoryApplyChanges apply = new InMemoryApplyChanges(changes.layout());
      for (RowData change : feed) {
        table.applyAll(apply.apply(List.of(change)));
      }
      return this;
    }

    Target run(long version, RowData... rows) throws Exception {
      return run(Map.of(version, List.of(rows)));
    }

    List<String> rows() {
      return table.rows().stream()
          .map(r -> Rows.describe(r, changes.layout().targetType()))
          .sorted()
          .toList();
    }
  }

  @Test
  void scd1InsertsUpdatesDeletesAndKeepsUnchangedRows() throws Exception {
    Target target =
        new Target(spec(1))
            .run(1, row(1, "apple", "x"), row(2, "bread", "x"), row(3, "cheese", "x"));
    assertThat(target.rows())
        .containsExactly("{id=1, name=apple}", "{id=2, name=bread}", "{id=3, name=cheese}");

    // 1 unchanged (its note is not kept), 2 updated, 3 deleted, 4 inserted
    target.run(2, row(1, "apple", "y"), row(2, "brioche", "x"), row(4, "dates", "x"));
    assertThat(target.rows())
        .containsExactly("{id=1, name=apple}", "{id=2, name=brioche}", "{id=4, name=dates}");

    // 3 comes back after its delete
    target.run(
        3,
        row(1, "apple", "y"),
        row(2, "brioche", "x"),
        row(3, "cheddar", "x"),
        row(4, "dates", "x"));
    assertThat(target.rows())
        .containsExactly(
            "{id=1, name=apple}",
            "{id=2, name=brioche}",
            "{id=3, name=cheddar}",
            "{id=4, name=dates}");
  }

  @Test
  void anUnchangedSnapshotChangesNothing() throws Exception {
    SnapshotChanges changes = SnapshotChanges.of(spec(2), SNAPSHOT);
    Target target = new Target(spec(2)).run(1, row(1, "apple", "x"), row(2, "bread", "x"));
    List<RowData> input = new ArrayList<>();
    for (RowData current : target.table.rows()) {
      input.add(changes.previousRow().map(current));
    }
    SnapshotDiff diff = new SnapshotDiff(changes, new long[] {2});
    assertThat(
            diff.diff(List.of(input.get(0), changes.snapshotRow(row(1, "apple", "other note"), 2))))
        .as("a change only to a column the target does not keep")
        .isEmpty();
    assertThat(diff.diff(List.of(input.get(1), changes.snapshotRow(row(2, "bread", "x"), 2))))
        .isEmpty();
  }

  @Test
  void scd2KeepsHistoryAcrossThreeSnapshotsWithVersionsAsIntervals() throws Exception {
    Target target =
        new Target(spec(2))
            .run(10, row(1, "apple", "x"), row(2, "bread", "x"), row(3, "cheese", "x"))
            .run(20, row(1, "apple", "x"), row(2, "brioche", "x"), row(4, "dates", "x"))
            .run(30, row(1, "apricot", "x"), row(2, "brioche", "x"), row(3, "cheddar", "x"));
    assertThat(target.rows())
        .containsExactly(
            "{id=1, name=apple, __START_AT=10, __END_AT=30}",
            "{id=1, name=apricot, __START_AT=30, __END_AT=NULL}",
            "{id=2, name=bread, __START_AT=10, __END_AT=20}",
            "{id=2, name=brioche, __START_AT=20, __END_AT=NULL}",
            "{id=3, name=cheddar, __START_AT=30, __END_AT=NULL}",
            "{id=3, name=cheese, __START_AT=10, __END_AT=20}",
            "{id=4, name=dates, __START_AT=20, __END_AT=30}");
  }

  @Test
  void severalSnapshotsInOneRunEqualTheSameSnapshotsOneRunEach() throws Exception {
    Map<Long, List<RowData>> snapshots = new LinkedHashMap<>();
    snapshots.put(1L, List.of(row(1, "apple", "x"), row(2, "bread", "x")));
    snapshots.put(2L, List.of(row(2, "brioche", "x"), row(3, "cheese", "x")));
    snapshots.put(3L, List.of(row(1, "apple", "x"), row(2, "brioche", "x")));
    for (int scdType : new int[] {1, 2}) {
      Target oneByOne = new Target(spec(scdType));
      for (Map.Entry<Long, List<RowData>> snapshot : snapshots.entrySet()) {
        oneByOne.run(Map.of(snapshot.getKey(), snapshot.getValue()));
      }
      Target together = new Target(spec(scdType)).run(snapshots);
      assertThat(together.rows()).as("SCD type %s", scdType).isEqualTo(oneByOne.rows());
    }
    assertThat(new Target(spec(2)).run(snapshots).rows())
        .containsExactly(
            "{id=1, name=apple, __START_AT=1, __END_AT=2}",
            "{id=1, name=apple, __START_AT=3, __END_AT=NULL}",
            "{id=2, name=bread, __START_AT=1, __END_AT=2}",
            "{id=2, name=brioche, __START_AT=2, __END_AT=NULL}",
            "{id=3, name=cheese, __START_AT=2, __END_AT=3}");
  }

  @Test
  void aKeyTwiceInOneSnapshotIsAnErrorNamingIt() {
    SnapshotChanges changes = SnapshotChanges.of(spec(1), SNAPSHOT);
    SnapshotDiff diff = new SnapshotDiff(changes, new long[] {4});
    assertThatThrownBy(
            () ->
                diff.diff(
                    List.of(
                        changes.snapshotRow(row(7, "a", "x"), 4),
                        changes.snapshotRow(row(7, "b", "x"), 4))))
        .isInstanceOf(ChangeDataException.class)
        .hasMessage(
            "applyChangesFromSnapshot into 'products': snapshot version 4 has more than one row with key"
                + " {id=7}. A snapshot holds one row per key: deduplicate the source.");
  }

  @Test
  void theOperatorDiffsEveryKeyOnlyWhenItsInputEnds() throws Exception {
    SnapshotChanges changes = SnapshotChanges.of(spec(1), SNAPSHOT);
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new SnapshotDiffOperator(changes, new long[] {2}),
            changes.layout().keySelector(),
            changes.layout().keyTypeInfo())) {
      harness.setup(
          new org.apache.flink.table.runtime.typeutils.RowDataSerializer(
              changes.layout().inputType()));
      harness.open();
      harness.processElement(
          changes.previousRow().map(GenericRowData.of(1, StringData.fromString("apple"))), 0);
      harness.processElement(
          changes.previousRow().map(GenericRowData.of(2, StringData.fromString("bread"))), 0);
      harness.processElement(changes.snapshotRow(row(2, "brioche", "x"), 2), 0);
      harness.processElement(changes.snapshotRow(row(3, "cheese", "x"), 2), 0);
      assertThat(harness.extractOutputValues()).isEmpty();
      harness.endInput();
      RowType feed = changes.layout().inputType();
      assertThat(
              harness.extractOutputValues().stream()
                  .map(r -> Rows.describe(r, feed))
                  .sorted()
                  .toList())
          .containsExactly(
              // 1 is only in the previous snapshot: replayed, then deleted at version 2
              "{id=1, name=apple, note=NULL, __snapshot_version=-9223372036854775808, __is_delete=false, __is_truncate=false}",
              "{id=1, name=apple, note=NULL, __snapshot_version=2, __is_delete=true, __is_truncate=false}",
              "{id=2, name=bread, note=NULL, __snapshot_version=-9223372036854775808, __is_delete=false, __is_truncate=false}",
              "{id=2, name=brioche, note=x, __snapshot_version=2, __is_delete=false, __is_truncate=false}",
              "{id=3, name=cheese, note=x, __snapshot_version=2, __is_delete=false, __is_truncate=false}");
    }
  }

  @Test
  void snapshotColumnsAreCheckedAgainstTheFlowWithWholeMessages() {
    RowType reserved =
        RowType.of(
            new LogicalType[] {new IntType(false), new BigIntType()},
            new String[] {"id", "__snapshot_version"});
    assertThat(SnapshotChanges.problems(spec(1).withExceptColumnList(List.of()), reserved))
        .containsExactly(
            "applyChangesFromSnapshot into 'products': the snapshots have a column named '__snapshot_version', a name"
                + " reserved for the snapshot diff. Rename it in the source.");
    assertThat(
            SnapshotChanges.problems(
                spec(2).withKeys(List.of("sku")).withTrackHistoryColumnList(List.of("price")),
                SNAPSHOT))
        .containsExactly(
            "applyChangesFromSnapshot into 'products': key column 'sku' is not a column of the snapshots. Available"
                + " columns: [id, name, note]. Fix the name passed to keys(…).",
            "applyChangesFromSnapshot into 'products': history column 'price' is not a column of the snapshots."
                + " Available columns: [id, name, note]. Fix the name passed to trackHistoryColumnList(…).");
  }
}
