package io.tributary.runtime.translate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * {@code dropDuplicates(keys)}: lets the first row of each key through and drops later ones. The
 * keys seen live in keyed state, so on a streaming table they are remembered across epochs and,
 * through the savepoint between updates, across updates.
 */
final class DropDuplicatesFunction extends KeyedProcessFunction<String, RowData, RowData> {

  private static final long serialVersionUID = 1L;

  private transient ValueState<Boolean> seen;

  @Override
  public void open(OpenContext openContext) {
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    if (seen.value() == null) {
      seen.update(Boolean.TRUE);
      out.collect(row);
    }
  }
}
