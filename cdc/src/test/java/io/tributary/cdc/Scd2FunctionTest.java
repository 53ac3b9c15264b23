package io.tributary.cdc;

import static io.tributary.cdc.Fixtures.changelog;
import static io.tributary.cdc.Fixtures.delete;
import static io.tributary.cdc.Fixtures.render;
import static io.tributary.cdc.Fixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Scd2FunctionTest {

  private CdcLayout layout;
  private KeyedOneInputStreamOperatorTestHarness<RowData, RowData, RowData> harness;
  private ChangelogTable table;

  private void start(CdcLayout l) throws Exception {
    layout = l;
    harness = Fixtures.scd2Harness(layout);
    harness.open();
    table = new ChangelogTable(layout);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private List<String> push(RowData... rows) throws Exception {
    harness.getOutput().clear();
    for (RowData row : rows) {
      harness.processElement(row, 0);
    }
    List<RowData> out = harness.extractOutputValues();
    table.applyAll(out);
    return changelog(out, layout.targetType());
  }

  private List<String> target() {
    return render(table.rows(), layout.targetType());
  }

  @Test
  void eachTrackedChangeOpensAVersionAndADeleteClosesIt() throws Exception {
    start(Fixtures.scd2());
    assertThat(push(upsert(1, "ann", "a@x", 1)))
        .containsExactly("+I{id=1, name=ann, email=a@x, seq=1, __START_AT=1, __END_AT=NULL}");
    assertThat(push(upsert(1, "anna", "a@x", 4)))
        .containsExactly(
            "+U{id=1, name=ann, email=a@x, seq=1, __START_AT=1, __END_AT=4}",
            "+I{id=1, name=anna, email=a@x, seq=4, __START_AT=4, __END_AT=NULL}");
    assertThat(push(delete(1, 6)))
        .containsExactly("+U{id=1, name=anna, email=a@x, seq=4, __START_AT=4, __END_AT=6}");
    assertThat(push(upsert(1, "anne", "e@x", 9)))
        .containsExactly("+I{id=1, name=anne, email=e@x, seq=9, __START_AT=9, __END_AT=NULL}");
    assertThat(target())
        .containsExactly(
            "{id=1, name=ann, email=a@x, seq=1, __START_AT=1, __END_AT=4}",
            "{id=1, name=anna, email=a@x, seq=4, __START_AT=4, __END_AT=6}",
            "{id=1, name=anne, email=e@x, seq=9, __START_AT=9, __END_AT=NULL}");
  }

  @Test
  void insertDeleteReinsertOfOneKeyInOneBatch() throws Exception {
    start(Fixtures.scd2());
    push(upsert(1, "ann", "a@x", 1), delete(1, 2), upsert(1, "ann", "a@x", 3));
    assertThat(target())
        .containsExactly(
            "{id=1, name=ann, email=a@x, seq=1, __START_AT=1, __END_AT=2}",
            "{id=1, name=ann, email=a@x, seq=3, __START_AT=3, __END_AT=NULL}");
  }

  @Test
  void aLateChangeIsSlottedIntoHistorySplittingAnInterval() throws Exception {
    start(Fixtures.scd2());
    push(upsert(1, "a", "x", 1), upsert(1, "c", "x", 10));
    assertThat(push(upsert(1, "b", "x", 5)))
        .containsExactly(
            "+U{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "+I{id=1, name=b, email=x, seq=5, __START_AT=5, __END_AT=10}");
    // A late delete inside the newest interval ends it early; the next upsert reopens.
    assertThat(push(delete(1, 7)))
        .containsExactly("+U{id=1, name=b, email=x, seq=5, __START_AT=5, __END_AT=7}");
    assertThat(target())
        .containsExactly(
            "{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "{id=1, name=b, email=x, seq=5, __START_AT=5, __END_AT=7}",
            "{id=1, name=c, email=x, seq=10, __START_AT=10, __END_AT=NULL}");
  }

  @Test
  void aLateChangeCanMergeAVersionAway() throws Exception {
    start(Fixtures.scd2());
    push(upsert(1, "a", "x", 1), upsert(1, "b", "x", 10));
    // At 5 the name already becomes b: the version that started at 10 no longer exists.
    assertThat(push(upsert(1, "b", "x", 5)))
        .containsExactly(
            "+U{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "+I{id=1, name=b, email=x, seq=10, __START_AT=5, __END_AT=NULL}",
            "-D{id=1, name=b, email=x, seq=10, __START_AT=10, __END_AT=NULL}");
    assertThat(target())
        .containsExactly(
            "{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "{id=1, name=b, email=x, seq=10, __START_AT=5, __END_AT=NULL}");
  }

  @Test
  void anUntrackedOnlyChangeUpdatesTheCurrentRowInPlace() throws Exception {
    start(Fixtures.scd2("name"));
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(upsert(1, "ann", "a@y", 2)))
        .containsExactly("+U{id=1, name=ann, email=a@y, seq=2, __START_AT=1, __END_AT=NULL}");
    assertThat(push(upsert(1, "bob", "a@y", 3)))
        .containsExactly(
            "+U{id=1, name=ann, email=a@y, seq=2, __START_AT=1, __END_AT=3}",
            "+I{id=1, name=bob, email=a@y, seq=3, __START_AT=3, __END_AT=NULL}");
    assertThat(target())
        .containsExactly(
            "{id=1, name=ann, email=a@y, seq=2, __START_AT=1, __END_AT=3}",
            "{id=1, name=bob, email=a@y, seq=3, __START_AT=3, __END_AT=NULL}");
  }

  @Test
  void trackHistoryExceptColumnListLeavesThoseColumnsUntracked() throws Exception {
    start(
        CdcLayout.of(
            Fixtures.spec().withScdType(2).withTrackHistoryExceptColumnList(List.of("email")),
            Fixtures.SOURCE));
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(upsert(1, "ann", "a@y", 2)))
        .containsExactly("+U{id=1, name=ann, email=a@y, seq=2, __START_AT=1, __END_AT=NULL}");
  }

  @Test
  void aChangeThatAltersNothingCreatesNoVersion() throws Exception {
    start(
        CdcLayout.of(
            Fixtures.spec().withScdType(2).withExceptColumnList(List.of("seq")), Fixtures.SOURCE));
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(upsert(1, "ann", "a@x", 2), upsert(1, "ann", "a@x", 1))).isEmpty();
    assertThat(target())
        .containsExactly("{id=1, name=ann, email=a@x, __START_AT=1, __END_AT=NULL}");
  }

  @Test
  void ignoreNullUpdatesTakesTheCurrentVersionsValues() throws Exception {
    start(
        CdcLayout.of(Fixtures.spec().withScdType(2).withIgnoreNullUpdates(true), Fixtures.SOURCE));
    push(upsert(1, "ann", "a@x", 1), upsert(1, null, "b@x", 3));
    assertThat(push(upsert(1, "bob", null, 2)))
        .containsExactly(
            "+U{id=1, name=ann, email=a@x, seq=1, __START_AT=1, __END_AT=2}",
            "+I{id=1, name=bob, email=a@x, seq=2, __START_AT=2, __END_AT=3}",
            // The version from 3 had taken name=ann; the late change at 2 is now the current value
            // before it.
            "+U{id=1, name=bob, email=b@x, seq=3, __START_AT=3, __END_AT=NULL}");
  }

  @Test
  void exactlyOneOpenRowPerLiveKeyAcrossKeys() throws Exception {
    start(Fixtures.scd2());
    push(
        upsert(1, "a", "x", 1),
        upsert(2, "b", "x", 1),
        upsert(1, "aa", "x", 2),
        delete(2, 3),
        upsert(1, "a", "x", 3));
    assertThat(target())
        .filteredOn(r -> r.endsWith("__END_AT=NULL}"))
        .containsExactly("{id=1, name=a, email=x, seq=3, __START_AT=3, __END_AT=NULL}");
  }

  @Test
  void snapshotAndRestoreKeepHistory() throws Exception {
    start(Fixtures.scd2());
    push(upsert(1, "a", "x", 1), upsert(1, "c", "x", 10));
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    harness.close();
    harness = Fixtures.scd2Harness(layout);
    harness.initializeState(snapshot);
    harness.open();
    assertThat(push(upsert(1, "b", "x", 5)))
        .containsExactly(
            "+U{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "+I{id=1, name=b, email=x, seq=5, __START_AT=5, __END_AT=10}");
    assertThat(push(upsert(1, "c", "x", 10))).isEmpty();
  }

  @Test
  void aStructSequenceOrdersByItsColumnsAndTypesTheIntervalAsARow() throws Exception {
    start(
        CdcLayout.of(
            Fixtures.spec().withScdType(2).withSequenceBy(List.of("seq", "email")),
            Fixtures.SOURCE));
    push(upsert(1, "a", "m2", 1), upsert(1, "b", "m1", 1));
    assertThat(target())
        .containsExactly(
            "{id=1, name=a, email=m2, seq=1, __START_AT={seq=1, email=m2}, __END_AT=NULL}",
            "{id=1, name=b, email=m1, seq=1, __START_AT={seq=1, email=m1}, __END_AT={seq=1, email=m2}}");
  }

  @Test
  void aNullSequenceFails() throws Exception {
    start(Fixtures.scd2());
    assertThatThrownBy(() -> push(upsert(1, "a", "x", 1), Fixtures.upsertWithNullSequence(2)))
        .isInstanceOf(ChangeDataException.class)
        .hasMessageContaining("Row: {id=2,");
  }
}
