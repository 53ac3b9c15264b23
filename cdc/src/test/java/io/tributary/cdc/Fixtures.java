package io.tributary.cdc;

import io.tributary.dsl.plan.ApplyChangesSpec;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;

/** A customers change feed: id, name, email, seq; and harnesses around the functions. */
final class Fixtures {

  static final RowType SOURCE =
      RowType.of(
          new LogicalType[] {
            new IntType(false), VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new BigIntType()
          },
          new String[] {"id", "name", "email", "seq"});

  static final Duration RETENTION = Duration.ofMinutes(10);

  private Fixtures() {}

  static ApplyChangesSpec spec() {
    return ApplyChangesSpec.into("customers")
        .withSource("cdc_raw")
        .withKeys(List.of("id"))
        .withSequenceBy(List.of("seq"))
        .withApplyAsDeletes("op = 'DELETE'");
  }

  static CdcLayout scd1() {
    return CdcLayout.of(spec(), SOURCE);
  }

  static CdcLayout scd2(String... tracked) {
    return CdcLayout.of(spec().withScdType(2).withTrackHistoryColumnList(List.of(tracked)), SOURCE);
  }

  static RowData upsert(int id, String name, String email, long seq) {
    return GenericRowData.of(id, str(name), str(email), seq, false, false);
  }

  static RowData upsertWithNullSequence(int id) {
    return GenericRowData.of(id, null, null, null, false, false);
  }

  static RowData delete(int id, long seq) {
    return GenericRowData.of(id, null, null, seq, true, false);
  }

  static RowData truncate(long seq) {
    return GenericRowData.of(0, null, null, seq, false, true);
  }

  private static StringData str(String s) {
    return s == null ? null : StringData.fromString(s);
  }

  static KeyedBroadcastOperatorTestHarness<RowData, RowData, RowData, RowData> scd1Harness(
      CdcLayout layout) throws Exception {
    return scd1Harness(layout, null);
  }

  /** With {@code backend} (null: the heap), set before {@code setup}, which fixes the backend. */
  static KeyedBroadcastOperatorTestHarness<RowData, RowData, RowData, RowData> scd1Harness(
      CdcLayout layout, StateBackend backend) throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new Scd1Function(layout, RETENTION),
                List.of(Scd1Function.truncateStateDescriptor(layout))),
            layout.keySelector(),
            layout.keyTypeInfo(),
            1,
            1,
            0);
    if (backend != null) {
      harness.setStateBackend(backend);
    }
    harness.setup(new RowDataSerializer(layout.targetType()));
    return harness;
  }

  static KeyedOneInputStreamOperatorTestHarness<RowData, RowData, RowData> scd2Harness(
      CdcLayout layout) throws Exception {
    return scd2Harness(layout, null);
  }

  static KeyedOneInputStreamOperatorTestHarness<RowData, RowData, RowData> scd2Harness(
      CdcLayout layout, StateBackend backend) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new Scd2Function(layout)),
            layout.keySelector(),
            layout.keyTypeInfo());
    if (backend != null) {
      harness.setStateBackend(backend);
    }
    harness.setup(new RowDataSerializer(layout.targetType()));
    return harness;
  }

  /** Rows as {@code {id=1, …}} text sorted, for whole-table assertions. */
  static List<String> render(List<RowData> rows, RowType type) {
    return rows.stream()
        .map(r -> Rows.describe(r, type))
        .sorted(Comparator.naturalOrder())
        .toList();
  }

  /** The changelog as {@code +I{…}} / {@code +U{…}} / {@code -D{…}} lines, in emission order. */
  static List<String> changelog(List<RowData> changes, RowType type) {
    return changes.stream()
        .map(r -> r.getRowKind().shortString() + Rows.describe(r, type))
        .toList();
  }
}
