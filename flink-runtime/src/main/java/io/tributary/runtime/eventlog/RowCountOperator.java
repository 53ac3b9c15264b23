package io.tributary.runtime.eventlog;

import java.util.Optional;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.OutputTag;

/**
 * Passes a flow's rows on to its table's writer and counts the added rows (inserts and update-afters)
 * of each epoch: emitted on {@link #METRICS} before the checkpoint barrier (and at the end of a
 * bounded input), like the expectation counts, so the epoch's {@link FlowProgressOperator} gets
 * exactly the rows of the epoch it commits. No state: after a restore the rows are replayed and
 * counted again with the epoch they belong to.
 *
 * <p>It also adds every row to a Flink accumulator named by {@link #accumulator}, which the cluster
 * reports while the job runs: the live row count the CLI shows (best effort, replays included).
 */
public final class RowCountOperator extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData> {

  private static final long serialVersionUID = 1L;

  /** The side output carrying each epoch's row count. */
  public static final OutputTag<FlowMetrics> METRICS =
      new OutputTag<>("tributary-row-count", FlowMetrics.TYPE);

  private static final String ACCUMULATOR_PREFIX = "tributary.rows.";

  private final String dataset;

  private transient long rows;
  private transient LongCounter live;

  public RowCountOperator(String dataset) {
    this.dataset = dataset;
  }

  /** The name of the accumulator counting {@code dataset}'s rows. */
  public static String accumulator(String dataset) {
    return ACCUMULATOR_PREFIX + dataset;
  }

  /** The dataset whose rows {@code accumulator} counts, if it is one of these accumulators. */
  public static Optional<String> datasetOf(String accumulator) {
    return accumulator.startsWith(ACCUMULATOR_PREFIX)
        ? Optional.of(accumulator.substring(ACCUMULATOR_PREFIX.length()))
        : Optional.empty();
  }

  @Override
  public void open() throws Exception {
    super.open();
    live = new LongCounter();
    getRuntimeContext().addAccumulator(accumulator(dataset), live);
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowKind kind = element.getValue().getRowKind();
    if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
      rows++;
      live.add(1L);
    }
    output.collect(element);
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
    if (rows > 0) {
      output.collect(METRICS, new StreamRecord<>(FlowMetrics.rows(rows)));
      rows = 0;
    }
  }
}
