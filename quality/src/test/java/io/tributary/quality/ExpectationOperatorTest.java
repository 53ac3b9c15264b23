package io.tributary.quality;

import static io.tributary.dsl.plan.ExpectationAction.DROP;
import static io.tributary.dsl.plan.ExpectationAction.FAIL;
import static io.tributary.dsl.plan.ExpectationAction.WARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.plan.Expectation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

/** The operator in a test harness: routing, stripping, per-epoch counts on the side output, metrics. */
class ExpectationOperatorTest {

  private static final RowType DATA =
      RowType.of(
          new org.apache.flink.table.types.logical.LogicalType[] {
            new BigIntType(), new IntType(), new VarCharType(VarCharType.MAX_LENGTH)
          },
          new String[] {"id", "amount", "note"});

  private static final List<Expectation> EXPECTATIONS =
      List.of(
          new Expectation("positive_amount", "amount > 0", WARN),
          new Expectation("not_null_id", "id IS NOT NULL", DROP),
          new Expectation("small", "amount < 100", DROP));

  private final Map<String, Counter> metrics = new ConcurrentHashMap<>();

  private OneInputStreamOperatorTestHarness<RowData, RowData> harness(
      List<Expectation> expectations) throws Exception {
    TestingMetricRegistry registry =
        TestingMetricRegistry.builder()
            .setRegisterConsumer(
                (metric, name, group) -> {
                  String scope = String.join(".", group.getScopeComponents());
                  if (metric instanceof Counter counter && scope.contains(".dataset.")) {
                    metrics.put(
                        scope.substring(scope.indexOf(".dataset.") + 1) + "." + name, counter);
                  }
                })
            .build();
    TaskMetricGroup task =
        TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "host", ResourceID.generate())
            .addJob(new JobID(), "job")
            .addTask(ExecutionAttemptID.randomId(), "task");
    MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    ExpectationOperator operator =
        new ExpectationOperator(ExpectationEvaluator.of("p", "silver", expectations), DATA);
    OneInputStreamOperatorTestHarness<RowData, RowData> harness =
        new OneInputStreamOperatorTestHarness<>(operator, environment);
    harness.setup(new RowDataSerializer(DATA));
    harness.open();
    return harness;
  }

  private static StreamRecord<RowData> row(
      RowKind kind, Long id, Integer amount, boolean... passed) {
    GenericRowData row = new GenericRowData(kind, 3 + passed.length);
    row.setField(0, id);
    row.setField(1, amount);
    row.setField(2, StringData.fromString("n" + id));
    for (int i = 0; i < passed.length; i++) {
      row.setField(3 + i, passed[i]);
    }
    return new StreamRecord<>(row, 7L);
  }

  private static StreamRecord<RowData> row(Long id, Integer amount, boolean... passed) {
    return row(RowKind.INSERT, id, amount, passed);
  }

  private static List<String> rows(OneInputStreamOperatorTestHarness<RowData, RowData> harness) {
    return harness.extractOutputStreamRecords().stream()
        .map(
            r -> {
              RowData row = r.getValue();
              return row.getRowKind().shortString()
                  + "("
                  + (row.isNullAt(0) ? null : row.getLong(0))
                  + ", "
                  + (row.isNullAt(1) ? null : row.getInt(1))
                  + ", "
                  + row.getString(2)
                  + ") arity "
                  + row.getArity()
                  + " @"
                  + r.getTimestamp();
            })
        .toList();
  }

  private static List<DataQuality> epochs(
      OneInputStreamOperatorTestHarness<RowData, RowData> harness) {
    return harness.getSideOutput(ExpectationOperator.DATA_QUALITY).stream()
        .map(StreamRecord::getValue)
        .toList();
  }

  private static DataQuality quality(long[] passed, long[] failed, long dropped) {
    return new DataQuality(
        "silver",
        new String[] {"positive_amount", "not_null_id", "small"},
        passed,
        failed,
        dropped);
  }

  @Test
  void keepsAndStripsDropsAndEmitsEachEpochsCountsBeforeItsBarrier() throws Exception {
    try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = harness(EXPECTATIONS)) {
      harness.processElement(row(1L, 5, true, true, true));
      harness.processElement(row(2L, -1, false, true, true));
      harness.processElement(row(null, 5, true, false, true));
      harness.processElement(row(null, 500, true, false, false));
      harness.prepareSnapshotPreBarrier(1);
      harness.processElement(row(3L, 200, true, true, false));
      harness.prepareSnapshotPreBarrier(2);
      harness.prepareSnapshotPreBarrier(3);
      harness.processElement(row(4L, 1, true, true, true));
      harness.processElement(row(RowKind.UPDATE_BEFORE, null, 5, true, false, true));
      harness.processElement(row(RowKind.DELETE, 4L, 1, true, true, true));
      assertThat(epochs(harness))
          .containsExactly(
              quality(new long[] {3, 2, 3}, new long[] {1, 2, 1}, 2),
              quality(new long[] {1, 1, 0}, new long[] {0, 0, 1}, 1));
      harness.endInput();
      harness.getOperator().finish();
      assertThat(epochs(harness))
          .hasSize(3)
          .last()
          .isEqualTo(quality(new long[] {1, 1, 1}, new long[] {0, 0, 0}, 0));
      assertThat(rows(harness))
          .containsExactly(
              "+I(1, 5, n1) arity 3 @7",
              "+I(2, -1, n2) arity 3 @7",
              "+I(4, 1, n4) arity 3 @7",
              "-D(4, 1, n4) arity 3 @7");
    }
  }

  @Test
  void countsTheLiveMetricsPerExpectationAndTheDroppedRows() throws Exception {
    try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = harness(EXPECTATIONS)) {
      harness.processElement(row(1L, 5, true, true, true));
      harness.processElement(row(2L, -1, false, true, true));
      harness.processElement(row(null, 500, true, false, false));
      harness.prepareSnapshotPreBarrier(1);
      harness.processElement(row(RowKind.DELETE, null, 500, true, false, false));
      Map<String, Long> counts = new TreeMap<>();
      metrics.forEach((name, counter) -> counts.put(name, counter.getCount()));
      assertThat(counts)
          .containsExactly(
              Map.entry("dataset.silver.dropped_records", 1L),
              Map.entry("dataset.silver.expectation.not_null_id.failed_records", 1L),
              Map.entry("dataset.silver.expectation.not_null_id.passed_records", 2L),
              Map.entry("dataset.silver.expectation.positive_amount.failed_records", 1L),
              Map.entry("dataset.silver.expectation.positive_amount.passed_records", 2L),
              Map.entry("dataset.silver.expectation.small.failed_records", 1L),
              Map.entry("dataset.silver.expectation.small.passed_records", 2L));
    }
  }

  @Test
  void expectOrFailThrowsNamingTheRow() throws Exception {
    List<Expectation> expectations =
        List.of(
            new Expectation("positive_amount", "amount > 0", DROP),
            new Expectation("valid_id", "id IS NOT NULL", FAIL));
    try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = harness(expectations)) {
      harness.processElement(row(1L, 5, true, true));
      assertThatThrownBy(() -> harness.processElement(row(null, 5, true, false)))
          .isInstanceOf(ExpectationViolationException.class)
          .hasMessage(
              "Pipeline 'p', dataset 'silver': expectation 'valid_id' (id IS NOT NULL) failed on row"
                  + " {id=null, amount=5, note=nnull}. expect_or_fail stops the update; fix the data, or use expectOrDrop"
                  + " to drop such rows.");
      assertThat(rows(harness)).containsExactly("+I(1, 5, n1) arity 3 @7");
    }
  }
}
