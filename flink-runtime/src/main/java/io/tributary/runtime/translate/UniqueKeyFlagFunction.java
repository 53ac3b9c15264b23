package io.tributary.runtime.translate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.util.Collector;

/**
 * The flag of an {@code expectUnique} expectation: appends TRUE to the first row of each key and
 * FALSE to every later one. The keys seen live in keyed state, across epochs and updates.
 */
public final class UniqueKeyFlagFunction extends KeyedProcessFunction<String, RowData, RowData> {

  private static final long serialVersionUID = 1L;

  private transient ValueState<Boolean> seen;

  @Override
  public void open(OpenContext openContext) {
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    boolean first = seen.value() == null;
    if (first) {
      seen.update(Boolean.TRUE);
    }
    JoinedRowData flagged = new JoinedRowData(row.getRowKind(), row, GenericRowData.of(first));
    out.collect(flagged);
  }
}
