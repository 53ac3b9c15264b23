package io.tributary.quality;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.OutputTag;

/**
 * Applies a dataset's expectations to the rows that {@link Expectations#apply} flagged: reads the
 * trailing {@code __expectation_*} columns, strips them (the output rows are the input's first N
 * fields, the dataset's own columns), drops the rows failing an {@code expect_or_drop} expectation,
 * and throws {@link ExpectationViolationException} on a row failing an {@code expect_or_fail} one.
 * The verdicts are {@link ExpectationEvaluator}'s.
 *
 * <p><b>Exact counts, per epoch.</b> The operator counts the rows of the current epoch (since the last
 * checkpoint barrier) and, in {@link #prepareSnapshotPreBarrier}, emits them as one {@link DataQuality}
 * on the side output {@link #DATA_QUALITY} and starts the next epoch; it does the same in
 * {@link #finish()} for a last, bounded epoch. The counts are emitted before the barrier, in the same
 * epoch as the rows they count, so a downstream operator aligned on that barrier (the sink's
 * committer, which commits the epoch's Delta version) receives exactly the counts of the rows it
 * commits. After a failure the job restores to the last checkpoint and both rows and counts of the
 * unfinished epoch are replayed, so no operator state is needed and no count is lost or doubled. An
 * epoch in which the subtask counted nothing emits nothing.
 *
 * <p><b>Live metrics, best-effort.</b> Under the operator's metric group, per expectation
 * {@code dataset.<dataset>.expectation.<name>.passed_records} and {@code …failed_records}, and
 * {@code dataset.<dataset>.dropped_records}. They start at zero on each (re)start and recount the rows
 * replayed after a restore: use them to watch, the event log to account.
 *
 * <p>Retractions (deletes and the old value of updates) are routed as the rows they retract, neither
 * counted nor failing: see {@link ExpectationEvaluator#evaluateRetraction}.
 *
 * <pre>{@code
 * Table flagged = Expectations.apply(table, spec.expectations());
 * RowType dataRowType = (RowType) table.getResolvedSchema().toPhysicalRowDataType().getLogicalType();
 * SingleOutputStreamOperator<RowData> rows = tEnv
 *     .toDataStream(flagged, flagged.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class))
 *     .transform("expectations " + dataset, InternalTypeInfo.of(dataRowType),
 *         new ExpectationOperator(ExpectationEvaluator.of(pipeline, dataset, expectations), dataRowType))
 *     .uid("expectations-" + dataset);
 * DataStream<DataQuality> counts = rows.getSideOutput(ExpectationOperator.DATA_QUALITY);
 * }</pre>
 */
public final class ExpectationOperator extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData> {

  private static final long serialVersionUID = 1L;

  /** The side output carrying each epoch's counts. */
  public static final OutputTag<DataQuality> DATA_QUALITY =
      new OutputTag<>("tributary-data-quality", TypeInformation.of(DataQuality.class));

  /**
   * The side output carrying each dropped row, its own columns followed by
   * {@value #FAILED_EXPECTATIONS} (the names of the expectations it failed), for {@code quarantine()}.
   */
  public static final OutputTag<RowData> QUARANTINE =
      new OutputTag<>("tributary-quarantine", TypeInformation.of(RowData.class));

  /** The column a quarantined row carries the names of its failed expectations in. */
  public static final String FAILED_EXPECTATIONS = "_failed_expectations";

  private static final int MAX_VALUE_LENGTH = 200;

  private final ExpectationEvaluator evaluator;
  private final RowType dataType;
  private final boolean quarantine;

  private transient ExpectationCounts epoch;
  private transient boolean[] passed;
  private transient ProjectedRowData dataRow;
  private transient RowData.FieldGetter[] fields;
  private transient Counter[] passedCounters;
  private transient Counter[] failedCounters;
  private transient Counter droppedCounter;

  /**
   * @param evaluator the dataset's expectations, in the order of their flag columns
   * @param dataType the dataset's own columns: the input rows carry them, then one flag per expectation
   */
  public ExpectationOperator(ExpectationEvaluator evaluator, RowType dataType) {
    this(evaluator, dataType, false);
  }

  /**
   * As {@link #ExpectationOperator(ExpectationEvaluator, RowType)}; with {@code quarantine} the rows
   * it drops go to the {@link #QUARANTINE} side output instead of nowhere.
   */
  public ExpectationOperator(ExpectationEvaluator evaluator, RowType dataType, boolean quarantine) {
    this.quarantine = quarantine;
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
  }

  @Override
  public void open() throws Exception {
    super.open();
    int arity = dataType.getFieldCount();
    epoch = evaluator.newCounts();
    passed = new boolean[evaluator.size()];
    dataRow = ProjectedRowData.from(IntStream.range(0, arity).toArray());
    fields = new RowData.FieldGetter[arity];
    for (int i = 0; i < arity; i++) {
      fields[i] = RowData.createFieldGetter(dataType.getTypeAt(i), i);
    }
    MetricGroup datasetGroup = getMetricGroup().addGroup("dataset", evaluator.dataset());
    List<String> names = evaluator.expectations().stream().map(e -> e.name()).toList();
    passedCounters = new Counter[names.size()];
    failedCounters = new Counter[names.size()];
    for (int i = 0; i < names.size(); i++) {
      MetricGroup group = datasetGroup.addGroup("expectation", names.get(i));
      passedCounters[i] = group.counter("passed_records");
      failedCounters[i] = group.counter("failed_records");
    }
    droppedCounter = datasetGroup.counter("dropped_records");
  }

  @Override
  public void processElement(StreamRecord<RowData> element) throws Exception {
    RowData row = element.getValue();
    int arity = fields.length;
    for (int i = 0; i < passed.length; i++) {
      passed[i] = row.getBoolean(arity + i);
    }
    RowKind kind = row.getRowKind();
    boolean addition = kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER;
    ExpectationEvaluator.Verdict verdict =
        addition ? evaluator.evaluate(passed, epoch) : evaluator.evaluateRetraction(passed);
    if (verdict == ExpectationEvaluator.Verdict.FAIL) {
      throw evaluator.violation(evaluator.failedExpectation(passed), render(row));
    }
    if (addition) {
      for (int i = 0; i < passed.length; i++) {
        (passed[i] ? passedCounters[i] : failedCounters[i]).inc();
      }
    }
    if (verdict == ExpectationEvaluator.Verdict.DROP) {
      if (addition) {
        droppedCounter.inc();
        if (quarantine) {
          output.collect(QUARANTINE, new StreamRecord<>(quarantined(row), element.getTimestamp()));
        }
      }
      return;
    }
    output.collect(element.replace(dataRow.replaceRow(row)));
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    emitEpoch();
  }

  @Override
  public void finish() throws Exception {
    emitEpoch();
    super.finish();
  }

  private void emitEpoch() {
    if (!epoch.isEmpty()) {
      output.collect(DATA_QUALITY, new StreamRecord<>(epoch.snapshot()));
      epoch.reset();
    }
  }

  /** The row's own columns as {@code {name=value, …}}, long values cut, for an error message. */
  /** The row's own columns, copied, followed by the names of the expectations it failed. */
  private RowData quarantined(RowData row) {
    GenericRowData copy = new GenericRowData(fields.length + 1);
    for (int i = 0; i < fields.length; i++) {
      copy.setField(i, fields[i].getFieldOrNull(row));
    }
    List<StringData> failed = new java.util.ArrayList<>();
    for (int i = 0; i < passed.length; i++) {
      if (!passed[i]) {
        failed.add(StringData.fromString(evaluator.expectations().get(i).name()));
      }
    }
    copy.setField(fields.length, new GenericArrayData(failed.toArray()));
    return copy;
  }

  /** The row type of {@link #QUARANTINE}'s rows for a dataset of {@code dataType}. */
  public static RowType quarantineType(RowType dataType) {
    List<RowType.RowField> columns = new java.util.ArrayList<>(dataType.getFields());
    columns.add(
        new RowType.RowField(
            FAILED_EXPECTATIONS,
            new org.apache.flink.table.types.logical.ArrayType(
                false, org.apache.flink.table.types.logical.VarCharType.STRING_TYPE)));
    return new RowType(columns);
  }

  private String render(RowData row) {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < fields.length; i++) {
      Object value = fields[i].getFieldOrNull(row);
      String shown = String.valueOf(value);
      if (shown.length() > MAX_VALUE_LENGTH) {
        shown = shown.substring(0, MAX_VALUE_LENGTH) + "…";
      }
      text.append(i == 0 ? "" : ", ")
          .append(dataType.getFieldNames().get(i))
          .append('=')
          .append(shown);
    }
    return text.append('}').toString();
  }
}
