package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.plan.ApplyChangesSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The source of an applyChanges flow gains a column (as Auto Loader's addNewColumns adds one before
 * {@code _rescued_data}) between two runs: the SCD state kept before restores into the functions of
 * the evolved layout, on the heap and on RocksDB, and the target converges to what applying every
 * change in the evolved layout gives (old changes with a NULL city).
 */
class CdcSchemaEvolutionTest {

  static final RowType V1 = Fixtures.SOURCE;
  static final RowType V2 =
      RowType.of(
          new LogicalType[] {
            new IntType(false),
            VarCharType.STRING_TYPE,
            VarCharType.STRING_TYPE,
            VarCharType.STRING_TYPE,
            new BigIntType()
          },
          new String[] {"id", "name", "email", "city", "seq"});

  record Change(int id, String name, String email, String city, long seq, boolean delete) {
    RowData v1() {
      return GenericRowData.of(id, str(name), str(email), seq, delete, false);
    }

    RowData v2() {
      return GenericRowData.of(id, str(name), str(email), str(city), seq, delete, false);
    }
  }

  static final List<Change> BEFORE =
      List.of(
          new Change(1, "a", "a@x", null, 1, false),
          new Change(2, "b", null, null, 1, false),
          new Change(4, "d", "d@x", null, 1, false),
          new Change(4, "d", "d@x", null, 3, true),
          new Change(1, "a1", "a@x", null, 4, false));
  static final List<Change> AFTER_EVOLUTION =
      List.of(
          new Change(1, null, null, "Oslo", 5, false),
          new Change(2, "b0", null, "Lima", 0, false),
          new Change(3, "c", null, "Rome", 1, false),
          new Change(4, "d2", null, "Kyiv", 2, false));
  static final List<Change> AFTER_SECOND_RESTORE =
      List.of(
          new Change(2, null, "b@x", null, 6, false), new Change(1, "a2", null, null, 3, false));

  @ParameterizedTest(name = "rocksDb={0}")
  @ValueSource(booleans = {false, true})
  void scd1StateSurvivesAnAddedSourceColumn(boolean rocksDb) throws Exception {
    for (boolean ignoreNullUpdates : List.of(false, true)) {
      ApplyChangesSpec spec = Fixtures.spec().withIgnoreNullUpdates(ignoreNullUpdates);
      CdcLayout v1 = CdcLayout.of(spec, V1);
      CdcLayout v2 = CdcLayout.of(spec, V2);
      ChangelogTable table = new ChangelogTable(v2);

      var harness = Fixtures.scd1Harness(v1, backend(rocksDb));
      harness.open();
      for (Change c : BEFORE) {
        harness.processElement(c.v1(), 0);
      }
      table.applyAll(widen(drain(harness), v1.targetType(), v2.targetType()));
      OperatorSubtaskState saved = harness.snapshot(1L, 1L);
      harness.close();

      for (List<Change> changes : List.of(AFTER_EVOLUTION, AFTER_SECOND_RESTORE)) {
        harness = Fixtures.scd1Harness(v2, backend(rocksDb));
        harness.initializeState(saved);
        harness.open();
        for (Change c : changes) {
          harness.processElement(c.v2(), 0);
        }
        table.applyAll(drain(harness));
        saved = harness.snapshot(2L, 2L);
        harness.close();
      }

      assertThat(Fixtures.render(table.rows(), v2.targetType()))
          .as("ignoreNullUpdates=" + ignoreNullUpdates)
          .isEqualTo(inOneLayout(v2));
    }
  }

  @ParameterizedTest(name = "rocksDb={0}")
  @ValueSource(booleans = {false, true})
  void scd2HistorySurvivesAnAddedSourceColumn(boolean rocksDb) throws Exception {
    ApplyChangesSpec spec = Fixtures.spec().withScdType(2);
    CdcLayout v1 = CdcLayout.of(spec, V1);
    CdcLayout v2 = CdcLayout.of(spec, V2);
    ChangelogTable table = new ChangelogTable(v2);

    var harness = Fixtures.scd2Harness(v1, backend(rocksDb));
    harness.open();
    for (Change c : BEFORE) {
      harness.processElement(c.v1(), 0);
    }
    table.applyAll(widen(drain(harness), v1.targetType(), v2.targetType()));
    OperatorSubtaskState saved = harness.snapshot(1L, 1L);
    harness.close();

    for (List<Change> changes : List.of(AFTER_EVOLUTION, AFTER_SECOND_RESTORE)) {
      harness = Fixtures.scd2Harness(v2, backend(rocksDb));
      harness.initializeState(saved);
      harness.open();
      for (Change c : changes) {
        harness.processElement(c.v2(), 0);
      }
      table.applyAll(drain(harness));
      saved = harness.snapshot(2L, 2L);
      harness.close();
    }

    assertThat(Fixtures.render(table.rows(), v2.targetType())).isEqualTo(inOneLayout(v2));
  }

  /** Every change applied in the evolved layout by the pure mergers, old changes with a NULL city. */
  private static List<String> inOneLayout(CdcLayout layout) {
    InMemoryApplyChanges flow = new InMemoryApplyChanges(layout);
    ChangelogTable table = new ChangelogTable(layout);
    for (List<Change> batch : List.of(BEFORE, AFTER_EVOLUTION, AFTER_SECOND_RESTORE)) {
      table.applyAll(flow.apply(batch.stream().map(Change::v2).toList()));
    }
    return Fixtures.render(table.rows(), layout.targetType());
  }

  /** Target rows of the old layout as rows of the new one: columns by name, NULL for the new column. */
  private static List<RowData> widen(List<RowData> rows, RowType from, RowType to) {
    List<RowData> out = new ArrayList<>();
    for (RowData row : rows) {
      GenericRowData wide = new GenericRowData(row.getRowKind(), to.getFieldCount());
      for (int i = 0; i < to.getFieldCount(); i++) {
        int at = from.getFieldIndex(to.getFieldNames().get(i));
        if (at >= 0) {
          wide.setField(i, Rows.getter(from.getTypeAt(at), at).getFieldOrNull(row));
        }
      }
      out.add(wide);
    }
    return out;
  }

  private static StateBackend backend(boolean rocksDb) {
    return rocksDb ? new EmbeddedRocksDBStateBackend() : null;
  }

  private static List<RowData> drain(AbstractStreamOperatorTestHarness<RowData> harness) {
    List<RowData> out = harness.extractOutputValues();
    harness.getOutput().clear();
    return out;
  }

  private static StringData str(String s) {
    return s == null ? null : StringData.fromString(s);
  }
}
