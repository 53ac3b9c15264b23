package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

class CdcLayoutTest {

  @Test
  void scdType1TargetIsTheSelectedColumnsKeyedByTheKeys() {
    CdcLayout layout = Fixtures.scd1();
    assertThat(layout.keyIndexes()).containsExactly(0);
    assertThat(layout.sequenceIndexes()).containsExactly(3);
    assertThat(layout.selectedIndexes()).containsExactly(0, 1, 2, 3);
    assertThat(layout.inputType().asSummaryString())
        .isEqualTo(
            "ROW<`id` INT NOT NULL, `name` STRING, `email` STRING,"
                + " `seq` BIGINT, `__is_delete` BOOLEAN NOT NULL, `__is_truncate` BOOLEAN NOT NULL>");
    assertThat(layout.targetType().asSummaryString())
        .isEqualTo("ROW<`id` INT NOT NULL, `name` STRING, `email` STRING, `seq` BIGINT>");
    assertThat(layout.targetKeyColumns()).containsExactly("id");
  }

  @Test
  void aChangeWithoutAKeyFailsNamingTheRowButATruncateNeedsNone() {
    CdcLayout layout = Fixtures.scd1();
    // a truncate applies to every key: the feed leaves its key columns NULL (the CDC example's
    // TRUNCATE rows)
    assertThat(layout.sequenceOf(GenericRowData.of(null, null, null, 7L, false, true)))
        .isEqualTo(GenericRowData.of(7L));
    assertThatThrownBy(
            () ->
                layout.sequenceOf(
                    GenericRowData.of(null, StringData.fromString("a"), null, 7L, false, false)))
        .isInstanceOf(ChangeDataException.class)
        .hasMessageStartingWith("applyChanges into 'customers': a change has a NULL key in 'id'");
  }

  @Test
  void scdType2AddsTheIntervalTypedAsTheSequenceAndTracksNonKeyNonSequenceColumnsByDefault() {
    CdcLayout layout = Fixtures.scd2();
    assertThat(layout.targetType().asSummaryString())
        .isEqualTo(
            "ROW<`id` INT NOT NULL, `name` STRING,"
                + " `email` STRING, `seq` BIGINT, `__START_AT` BIGINT, `__END_AT` BIGINT>");
    assertThat(layout.trackedIndexes()).containsExactly(1, 2);
    assertThat(layout.targetKeyColumns()).containsExactly("id", "__START_AT");
    assertThat(layout.targetKeyIndexes()).containsExactly(0, 4);
    assertThat(Fixtures.scd2("EMAIL").trackedIndexes()).containsExactly(2);
  }

  @Test
  void aStructSequenceIsARowInTheInterval() {
    CdcLayout layout =
        CdcLayout.of(
            Fixtures.spec()
                .withScdType(2)
                .withSequenceBy(List.of("seq", "name"))
                .withColumnList(List.of("id", "email")),
            Fixtures.SOURCE);
    assertThat(layout.selectedIndexes()).containsExactly(0, 2);
    assertThat(layout.targetType().asSummaryString())
        .isEqualTo(
            "ROW<`id` INT NOT NULL, `email` STRING,"
                + " `__START_AT` ROW<`seq` BIGINT, `name` STRING>, `__END_AT` ROW<`seq` BIGINT, `name` STRING>>");
  }

  @Test
  void exceptColumnListDropsColumnsAndNamesMatchCaseInsensitively() {
    CdcLayout layout =
        CdcLayout.of(
            Fixtures.spec().withKeys(List.of("ID")).withExceptColumnList(List.of("Seq")),
            Fixtures.SOURCE);
    assertThat(layout.selectedIndexes()).containsExactly(0, 1, 2);
    assertThat(layout.sequenceIndexes()).containsExactly(3);
  }

  @Test
  void everyProblemIsReportedWithTheAvailableColumns() {
    assertThat(
            CdcLayout.problems(
                Fixtures.spec()
                    .withKeys(List.of("cust_id"))
                    .withSequenceBy(List.of("ts"))
                    .withColumnList(List.of("id", "mail")),
                Fixtures.SOURCE))
        .containsExactly(
            "applyChanges into 'customers': key column 'cust_id' is not a column of the source. Available columns:"
                + " [id, name, email, seq]. Fix the name passed to keys(…).",
            "applyChanges into 'customers': sequence column 'ts' is not a column of the source. Available columns:"
                + " [id, name, email, seq]. Fix the name passed to sequenceBy(…).",
            "applyChanges into 'customers': listed column 'mail' is not a column of the source. Available columns:"
                + " [id, name, email, seq]. Fix the name passed to columnList(…).");
  }

  @Test
  void keysMustBeWrittenToTheTarget() {
    assertThat(
            CdcLayout.problems(
                Fixtures.spec().withExceptColumnList(List.of("id")), Fixtures.SOURCE))
        .containsExactly(
            "applyChanges into 'customers': key column 'id' is not among the target's columns"
                + " [name, email, seq], so rows could not be found by key. Add it to columnList, or remove it from"
                + " exceptColumnList.");
  }

  @Test
  void reservedNamesInTheSourceAreRejected() {
    RowType source =
        RowType.of(
            new LogicalType[] {new IntType(), new BigIntType(), new BigIntType()},
            new String[] {"id", "seq", "__end_at"});
    assertThat(CdcLayout.problems(Fixtures.spec().withScdType(2), source))
        .containsExactly(
            "applyChanges into 'customers': the source has a column named '__end_at', a name reserved for the"
                + " validity interval of SCD type 2 rows. Rename it in the source query.");
    RowType flagged =
        RowType.of(
            new LogicalType[] {new IntType(), new BigIntType(), new BigIntType()},
            new String[] {"id", "seq", "__IS_DELETE"});
    assertThat(CdcLayout.problems(Fixtures.spec(), flagged))
        .containsExactly(
            "applyChanges into 'customers': the source has a column named '__IS_DELETE', a name reserved for the"
                + " flag Tributary computes from applyAsDeletes/applyAsTruncates. Rename it in the source query.");
  }

  @Test
  void historyColumnsMustBeTargetColumnsAndOnlyForType2() {
    assertThat(
            CdcLayout.problems(
                Fixtures.spec()
                    .withScdType(2)
                    .withColumnList(List.of("id", "seq"))
                    .withTrackHistoryColumnList(List.of("name")),
                Fixtures.SOURCE))
        .containsExactly(
            "applyChanges into 'customers': history column 'name' is not among the target's columns [id, seq]."
                + " Track only columns written to the target: fix trackHistoryColumnList or"
                + " trackHistoryExceptColumnList.");
    assertThat(
            CdcLayout.problems(
                Fixtures.spec().withTrackHistoryColumnList(List.of("name")), Fixtures.SOURCE))
        .containsExactly(
            "applyChanges into 'customers' tracks history columns, but is stored as SCD type 1,"
                + " which keeps no history. Use storedAsScdType(2), or remove the history column list.");
  }

  @Test
  void aSequenceMustHaveAnOrder() {
    RowType source =
        RowType.of(
            new LogicalType[] {new IntType(), new ArrayType(new IntType())},
            new String[] {"id", "seq"});
    assertThat(CdcLayout.problems(Fixtures.spec(), source))
        .containsExactly(
            "applyChanges into 'customers': sequence column 'seq' has type ARRAY<INT>, which has no order. Sequence"
                + " by a number, string, date, time, timestamp, boolean or binary column (or a list of them).");
  }

  @Test
  void ofRefusesAnInvalidFlow() {
    assertThatThrownBy(() -> CdcLayout.of(Fixtures.spec().withKeys(List.of()), Fixtures.SOURCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "applyChanges into 'customers' has no keys. Add keys(\"column\", …).");
  }

  @Test
  void keysAreBinaryRowsEqualForEqualValues() throws Exception {
    CdcLayout layout = Fixtures.scd1();
    var a = layout.keySelector().getKey(Fixtures.upsert(5, "a", "b", 1));
    var b = layout.keySelector().getKey(Fixtures.delete(5, 9));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isInstanceOf(org.apache.flink.table.data.binary.BinaryRowData.class);
  }
}
