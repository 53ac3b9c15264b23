package io.tributary.cdc;

import static io.tributary.cdc.Fixtures.changelog;
import static io.tributary.cdc.Fixtures.delete;
import static io.tributary.cdc.Fixtures.render;
import static io.tributary.cdc.Fixtures.truncate;
import static io.tributary.cdc.Fixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Scd1FunctionTest {

  private CdcLayout layout;
  private KeyedBroadcastOperatorTestHarness<RowData, RowData, RowData, RowData> harness;
  private ChangelogTable table;

  @BeforeEach
  void open() throws Exception {
    start(Fixtures.scd1());
  }

  private void start(CdcLayout l) throws Exception {
    layout = l;
    harness = Fixtures.scd1Harness(layout);
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
      if (row.getBoolean(layout.isTruncateIndex())) {
        harness.processBroadcastElement(row, 0);
      } else {
        harness.processElement(row, 0);
      }
    }
    List<RowData> out = harness.extractOutputValues();
    table.applyAll(out);
    return changelog(out, layout.targetType());
  }

  private List<String> target() {
    return render(table.rows(), layout.targetType());
  }

  private long keysWithState() {
    AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getTwoInputOperator();
    try (var keys = operator.getKeyedStateBackend().getKeys("cdc-scd1", VoidNamespace.INSTANCE)) {
      return keys.count();
    }
  }

  @Test
  void upsertsInsertThenUpdateAndIgnoreOlderChanges() throws Exception {
    assertThat(push(upsert(1, "ann", "a@x", 10)))
        .containsExactly("+I{id=1, name=ann, email=a@x, seq=10}");
    assertThat(push(upsert(1, "ann", "a@y", 20)))
        .containsExactly("+U{id=1, name=ann, email=a@y, seq=20}");
    assertThat(push(upsert(1, "old", "a@old", 15))).isEmpty();
    assertThat(target()).containsExactly("{id=1, name=ann, email=a@y, seq=20}");
  }

  @Test
  void exactDuplicatesAreNoOps() throws Exception {
    push(upsert(1, "ann", "a@x", 10), delete(2, 5));
    assertThat(push(upsert(1, "ann", "a@x", 10), delete(2, 5), upsert(1, "ann", "a@x", 10)))
        .isEmpty();
    assertThat(target()).containsExactly("{id=1, name=ann, email=a@x, seq=10}");
  }

  @Test
  void insertDeleteReinsertOfOneKeyInOneBatch() throws Exception {
    assertThat(push(upsert(1, "ann", "a@x", 1), delete(1, 2), upsert(1, "anna", "b@x", 3)))
        .containsExactly(
            "+I{id=1, name=ann, email=a@x, seq=1}",
            "-D{id=1, name=ann, email=a@x, seq=1}",
            "+I{id=1, name=anna, email=b@x, seq=3}");
    assertThat(target()).containsExactly("{id=1, name=anna, email=b@x, seq=3}");

    // The same batch through the pure core, in reverse order: one change, the final row.
    Scd1Merger merger = new Scd1Merger(layout);
    MergeResult<Scd1State> r =
        merger.apply(
            null,
            List.of(
                layout.toEvent(upsert(1, "anna", "b@x", 3)),
                layout.toEvent(delete(1, 2)),
                layout.toEvent(upsert(1, "ann", "a@x", 1))));
    assertThat(changelog(r.changes(), layout.targetType()))
        .containsExactly("+I{id=1, name=anna, email=b@x, seq=3}");
  }

  @Test
  void deleteThenLateUpdateStaysDeleted() throws Exception {
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(delete(1, 5))).containsExactly("-D{id=1, name=ann, email=a@x, seq=1}");
    assertThat(push(upsert(1, "late", "l@x", 4))).isEmpty();
    assertThat(push(upsert(1, "tie", "t@x", 5))).isEmpty();
    assertThat(target()).isEmpty();
    assertThat(push(upsert(1, "back", "b@x", 6)))
        .containsExactly("+I{id=1, name=back, email=b@x, seq=6}");
  }

  @Test
  void lateDeleteOlderThanTheRowIsIgnoredButRemembered() throws Exception {
    push(upsert(1, "ann", "a@x", 10));
    assertThat(push(delete(1, 5))).isEmpty();
    assertThat(push(upsert(1, "older", "o@x", 3))).isEmpty();
    assertThat(target()).containsExactly("{id=1, name=ann, email=a@x, seq=10}");
  }

  @Test
  void tombstonesAreDroppedAfterTheRetention() throws Exception {
    harness.setProcessingTime(1_000);
    push(upsert(1, "ann", "a@x", 1), delete(1, 5));
    harness.setProcessingTime(1_000 + Fixtures.RETENTION.toMillis() - 1);
    assertThat(push(upsert(1, "late", "l@x", 4))).isEmpty();
    harness.setProcessingTime(1_000 + Fixtures.RETENTION.toMillis());
    assertThat(keysWithState()).isZero();
    // Past the retention the key is forgotten: a change older than the delete lands (DLT's
    // documented trade-off).
    assertThat(push(upsert(1, "late", "l@x", 4)))
        .containsExactly("+I{id=1, name=late, email=l@x, seq=4}");
  }

  @Test
  void aReinsertedKeyKeepsItsState() throws Exception {
    harness.setProcessingTime(0);
    push(upsert(1, "ann", "a@x", 1), delete(1, 5), upsert(1, "back", "b@x", 7));
    harness.setProcessingTime(Fixtures.RETENTION.toMillis() * 2);
    assertThat(push(upsert(1, "late", "l@x", 3))).isEmpty();
    assertThat(target()).containsExactly("{id=1, name=back, email=b@x, seq=7}");
  }

  @Test
  void ignoreNullUpdatesKeepsCurrentValuesEvenWhenChangesArriveLate() throws Exception {
    harness.close();
    start(CdcLayout.of(Fixtures.spec().withIgnoreNullUpdates(true), Fixtures.SOURCE));
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(upsert(1, null, "a@y", 3)))
        .containsExactly("+U{id=1, name=ann, email=a@y, seq=3}");
    // Late: name=bob at 2 fills the name that 3 left NULL; its email is older than 3's, so it is
    // not taken.
    assertThat(push(upsert(1, "bob", "b@x", 2)))
        .containsExactly("+U{id=1, name=bob, email=a@y, seq=3}");
    // A delete at 4, then a reinsert with a NULL: nothing is inherited across a delete.
    assertThat(push(delete(1, 4), upsert(1, null, "c@x", 6)))
        .containsExactly(
            "-D{id=1, name=bob, email=a@y, seq=3}", "+I{id=1, name=NULL, email=c@x, seq=6}");
    // A late upsert between the delete and the reinsert fills the name; one older than the delete
    // does not.
    assertThat(push(upsert(1, "old", "o@x", 3), upsert(1, "cat", null, 5)))
        .containsExactly("+U{id=1, name=cat, email=c@x, seq=6}");
    assertThat(target()).containsExactly("{id=1, name=cat, email=c@x, seq=6}");
  }

  @Test
  void withoutIgnoreNullUpdatesNullsOverwrite() throws Exception {
    push(upsert(1, "ann", "a@x", 1));
    assertThat(push(upsert(1, null, "a@y", 3)))
        .containsExactly("+U{id=1, name=NULL, email=a@y, seq=3}");
  }

  @Test
  void truncateEmptiesTheTargetAsOfItsSequence() throws Exception {
    push(
        upsert(1, "ann", "a@x", 1),
        upsert(2, "bob", "b@x", 2),
        upsert(3, "cy", "c@x", 20),
        delete(4, 3));
    assertThat(push(truncate(10)))
        .containsExactlyInAnyOrder(
            "-D{id=1, name=ann, email=a@x, seq=1}", "-D{id=2, name=bob, email=b@x, seq=2}");
    // Key 3 changed after the truncate (it arrived first): it stays. Keys 1, 2 and 4 need no state:
    // T covers them.
    assertThat(target()).containsExactly("{id=3, name=cy, email=c@x, seq=20}");
    assertThat(keysWithState()).isEqualTo(1);
    // Late changes older than the truncate, to known and unknown keys, are ignored; newer ones
    // land.
    assertThat(push(upsert(1, "late", "l@x", 5), upsert(9, "new-old", "n@x", 9))).isEmpty();
    assertThat(keysWithState())
        .as("late changes older than the truncate leave no state")
        .isEqualTo(1);
    assertThat(push(upsert(1, "fresh", "f@x", 11)))
        .containsExactly("+I{id=1, name=fresh, email=f@x, seq=11}");
    // An older truncate arriving late changes nothing.
    assertThat(push(truncate(4))).isEmpty();
    assertThat(target())
        .containsExactly(
            "{id=1, name=fresh, email=f@x, seq=11}", "{id=3, name=cy, email=c@x, seq=20}");
  }

  @Test
  void snapshotAndRestoreKeepRowsTombstonesAndTruncates() throws Exception {
    harness.setProcessingTime(0);
    push(
        upsert(1, "ann", "a@x", 1),
        upsert(2, "bob", "b@x", 8),
        delete(2, 9),
        upsert(3, "cy", "c@x", 30),
        truncate(20));
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    harness.close();
    harness = Fixtures.scd1Harness(layout);
    harness.initializeState(snapshot);
    harness.open();
    harness.setProcessingTime(0);
    // Tombstone of key 2 and the truncate at 20 survive; key 3's row too.
    assertThat(push(upsert(2, "late", "l@x", 7), upsert(1, "late", "l@x", 15))).isEmpty();
    assertThat(push(upsert(3, "cyd", "c@x", 31)))
        .containsExactly("+U{id=3, name=cyd, email=c@x, seq=31}");
    assertThat(push(delete(3, 40))).containsExactly("-D{id=3, name=cyd, email=c@x, seq=31}");
  }

  @Test
  void aNullSequenceFailsNamingTheTargetAndTheRow() {
    assertThatThrownBy(
            () -> harness.processElement(GenericRowData.of(7, null, null, null, false, false), 0))
        .isInstanceOf(ChangeDataException.class)
        .hasMessage(
            "applyChanges into 'customers': a change has a NULL sequence value in 'seq' (sequenceBy [seq]),"
                + " so it cannot be ordered against the other changes of its key. Row: {id=7, name=NULL, email=NULL,"
                + " seq=NULL, __is_delete=false, __is_truncate=false}. Fill the sequence column in the source, or"
                + " filter such rows out before applyChanges.");
  }
}
