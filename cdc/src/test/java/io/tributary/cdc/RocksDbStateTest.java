package io.tributary.cdc;

import static io.tributary.cdc.Fixtures.delete;
import static io.tributary.cdc.Fixtures.render;
import static io.tributary.cdc.Fixtures.truncate;
import static io.tributary.cdc.Fixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/** The functions' state on RocksDB: rows serialized by Flink's row serializer, truncate over all keys, restore. */
class RocksDbStateTest {

  @Test
  void scd1TruncatesAndRestoresOnRocksDb() throws Exception {
    CdcLayout layout = CdcLayout.of(Fixtures.spec().withIgnoreNullUpdates(true), Fixtures.SOURCE);
    ChangelogTable table = new ChangelogTable(layout);
    var harness = Fixtures.scd1Harness(layout, new EmbeddedRocksDBStateBackend());
    harness.open();
    assertThat(
            ((AbstractStreamOperator<?>) harness.getTwoInputOperator())
                .getKeyedStateBackend()
                .getClass()
                .getSimpleName())
        .startsWith("RocksDB");
    for (int id = 1; id <= 50; id++) {
      harness.processElement(upsert(id, "n" + id, null, id), 0);
    }
    harness.processElement(delete(7, 60), 0);
    harness.processElement(upsert(3, null, "late@x", 70), 0);
    harness.processBroadcastElement(truncate(40), 0);
    table.applyAll(drain(harness));
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    harness.close();

    harness = Fixtures.scd1Harness(layout, new EmbeddedRocksDBStateBackend());
    harness.initializeState(snapshot);
    harness.open();
    harness.processElement(upsert(7, "resurrected?", null, 55), 0);
    harness.processElement(upsert(45, null, "e@x", 80), 0);
    harness.processElement(upsert(2, "old", null, 39), 0);
    table.applyAll(drain(harness));
    harness.close();

    List<String> expected = new java.util.ArrayList<>();
    expected.add("{id=3, name=NULL, email=late@x, seq=70}");
    for (int id = 41; id <= 50; id++) {
      expected.add(
          "{id="
              + id
              + ", name=n"
              + id
              + ", email="
              + (id == 45 ? "e@x" : "NULL")
              + ", seq="
              + (id == 45 ? 80 : id)
              + "}");
    }
    assertThat(render(table.rows(), layout.targetType()))
        .isEqualTo(expected.stream().sorted().toList());
  }

  @Test
  void scd2HistoryRestoresOnRocksDb() throws Exception {
    CdcLayout layout = Fixtures.scd2();
    ChangelogTable table = new ChangelogTable(layout);
    var harness = Fixtures.scd2Harness(layout, new EmbeddedRocksDBStateBackend());
    harness.open();
    harness.processElement(upsert(1, "a", "x", 1), 0);
    harness.processElement(upsert(1, "c", "x", 10), 0);
    table.applyAll(drain(harness));
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    harness.close();

    harness = Fixtures.scd2Harness(layout, new EmbeddedRocksDBStateBackend());
    harness.initializeState(snapshot);
    harness.open();
    harness.processElement(upsert(1, "b", "x", 5), 0);
    harness.processElement(delete(1, 12), 0);
    table.applyAll(drain(harness));
    harness.close();
    assertThat(render(table.rows(), layout.targetType()))
        .containsExactly(
            "{id=1, name=a, email=x, seq=1, __START_AT=1, __END_AT=5}",
            "{id=1, name=b, email=x, seq=5, __START_AT=5, __END_AT=10}",
            "{id=1, name=c, email=x, seq=10, __START_AT=10, __END_AT=12}");
  }

  @Test
  void anArrayValueReadBackFromStateEqualsTheSameValueFromTheFeed() throws Exception {
    RowType source =
        RowType.of(
            new LogicalType[] {new IntType(false), new ArrayType(new IntType()), new BigIntType()},
            new String[] {"id", "tags", "seq"});
    CdcLayout layout = CdcLayout.of(Fixtures.spec().withScdType(2), source);
    var harness = Fixtures.scd2Harness(layout, new EmbeddedRocksDBStateBackend());
    harness.open();
    assertThat(
            ((AbstractStreamOperator<?>) harness.getOperator())
                .getKeyedStateBackend()
                .getClass()
                .getSimpleName())
        .startsWith("RocksDB");
    harness.processElement(
        GenericRowData.of(1, new GenericArrayData(new int[] {1, 2}), 1L, false, false), 0);
    drain(harness);
    harness.processElement(
        GenericRowData.of(1, new GenericArrayData(new int[] {1, 2}), 2L, false, false), 0);
    assertThat(Fixtures.changelog(drain(harness), layout.targetType()))
        .containsExactly("+U{id=1, tags=[1, 2], seq=2, __START_AT=1, __END_AT=NULL}");
    harness.processElement(
        GenericRowData.of(1, new GenericArrayData(new int[] {1, 3}), 3L, false, false), 0);
    assertThat(drain(harness)).hasSize(2);
    harness.close();
  }

  private static List<RowData> drain(AbstractStreamOperatorTestHarness<RowData> harness) {
    List<RowData> out = harness.extractOutputValues();
    harness.getOutput().clear();
    return out;
  }
}
