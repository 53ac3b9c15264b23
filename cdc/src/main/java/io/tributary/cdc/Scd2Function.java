package io.tributary.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Applies a change feed to an SCD type 2 target: a row per version, keyed by the keys and {@code
 * __START_AT}. Input keyed by {@link CdcLayout#keySelector()}; output: the target's changelog, emitted
 * as each event is applied (INSERT/UPDATE_AFTER upsert a version row by its target key, DELETE removes
 * a version that a late change merged away). The rules are {@link Scd2Merger}'s. SCD type 2 has no
 * truncate (the DSL rejects it) and keeps no tombstones apart from the history itself.
 *
 * <pre>{@code
 * changes.keyBy(layout.keySelector(), layout.keyTypeInfo())
 *     .process(new Scd2Function(layout), layout.targetTypeInfo());
 * }</pre>
 */
public final class Scd2Function extends KeyedProcessFunction<RowData, RowData, RowData> {

  private static final long serialVersionUID = 1L;

  private final CdcLayout layout;
  private final Scd2Merger merger;
  private final StateCodec codec;
  private transient ListState<RowData> history;

  public Scd2Function(CdcLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.merger = new Scd2Merger(layout);
    this.codec = new StateCodec(layout);
  }

  @Override
  public void open(OpenContext openContext) {
    history =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("cdc-scd2-changes", codec.changeSerializer()));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    if (row.getBoolean(layout.isTruncateIndex())) {
      throw new IllegalStateException(
          "applyChanges into '"
              + layout.target()
              + "': SCD type 2 has no truncate, yet a change is flagged as one");
    }
    ChangeEvent event = layout.toEvent(row);
    List<ChangeEvent> before = new ArrayList<>();
    for (RowData change : history.get()) {
      before.add(codec.decodeChange(change));
    }
    MergeResult<List<ChangeEvent>> result = merger.apply(before, List.of(event));
    if (result.state() == before) {
      return;
    }
    List<RowData> encoded = new ArrayList<>(result.state().size());
    for (ChangeEvent change : result.state()) {
      encoded.add(codec.encode(change));
    }
    history.update(encoded);
    result.changes().forEach(out::collect);
  }
}
