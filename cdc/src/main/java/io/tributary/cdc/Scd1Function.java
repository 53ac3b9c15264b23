package io.tributary.cdc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Applies a change feed to an SCD type 1 target: the latest row per key. Keyed input: the feed's
 * rows without truncates, keyed by {@link CdcLayout#keySelector()}; broadcast input: the truncate
 * rows. Output: the target's changelog, one row per change of a target row, emitted as each event is
 * applied (INSERT/UPDATE_AFTER upsert by key, DELETE removes); the sink keeps the last change per key
 * of an epoch, so emitting per event costs no extra state and no timer.
 *
 * <p>Truncate: a keyed function cannot list its keys, so a truncate is broadcast to every parallel
 * instance. Each keeps the newest truncate sequence T in broadcast state, and applies "delete as of T"
 * to every key it holds with {@code applyToKeyedState} (emitting a DELETE for each live row older than
 * T), and to every key it meets later, before that key's change. A truncate therefore behaves exactly
 * like a delete of every key at T, whatever order it arrives in relative to the keyed changes: changes
 * newer than T survive it, older ones arriving late are ignored. Keys left with nothing newer than T
 * drop their state at once, T standing in for their tombstones.
 *
 * <p>Tombstones of deleted keys are dropped {@code tombstoneRetention} (processing time) after the
 * delete; a change older than the delete arriving later than that would bring the key back.
 *
 * <pre>{@code
 * changes.filter(r -> !r.getBoolean(layout.isTruncateIndex())).keyBy(layout.keySelector(), layout.keyTypeInfo())
 *     .connect(changes.filter(r -> r.getBoolean(layout.isTruncateIndex()))
 *         .broadcast(Scd1Function.truncateStateDescriptor(layout)))
 *     .process(new Scd1Function(layout, Duration.ofDays(2)), layout.targetTypeInfo());
 * }</pre>
 */
public final class Scd1Function
    extends KeyedBroadcastProcessFunction<RowData, RowData, RowData, RowData> {

  private static final long serialVersionUID = 1L;
  private static final String TRUNCATED_AS_OF = "truncated_as_of";

  private final CdcLayout layout;
  private final long retentionMillis;
  private final Scd1Merger merger;
  private final StateCodec codec;
  private final SequenceOrder order;
  private final MapStateDescriptor<String, RowData> truncateDescriptor;
  private transient ValueState<RowData> state;
  private transient ValueState<Long> tombstoneExpiry;

  public Scd1Function(CdcLayout layout, Duration tombstoneRetention) {
    this.layout = Objects.requireNonNull(layout, "layout");
    if (layout.scdType() != 1) {
      throw new IllegalArgumentException(
          "applyChanges into '" + layout.target() + "' is SCD type 2: use Scd2Function");
    }
    if (tombstoneRetention.isNegative()) {
      throw new IllegalArgumentException(
          "tombstone retention must not be negative: " + tombstoneRetention);
    }
    this.retentionMillis = tombstoneRetention.toMillis();
    this.merger = new Scd1Merger(layout);
    this.codec = new StateCodec(layout);
    this.order = new SequenceOrder(layout.sequenceType());
    this.truncateDescriptor = truncateStateDescriptor(layout);
  }

  /** The broadcast state holding the newest truncate's sequence; pass it to {@code broadcast(…)}. */
  public static MapStateDescriptor<String, RowData> truncateStateDescriptor(CdcLayout layout) {
    return new MapStateDescriptor<>(
        "cdc-truncate", Types.STRING, new StateCodec(layout).sequenceType());
  }

  /** The keyed state holding each key's {@link Scd1State}. */
  public static ValueStateDescriptor<RowData> stateDescriptor(CdcLayout layout) {
    return new ValueStateDescriptor<>("cdc-scd1", new StateCodec(layout).scd1StateSerializer());
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(stateDescriptor(layout));
    tombstoneExpiry =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("cdc-tombstone-expiry", Types.LONG));
  }

  @Override
  public void processElement(RowData row, ReadOnlyContext ctx, Collector<RowData> out)
      throws Exception {
    if (row.getBoolean(layout.isTruncateIndex())) {
      throw new IllegalStateException(
          "applyChanges into '"
              + layout.target()
              + "': a truncate reached the keyed input; route truncates to the broadcast input");
    }
    List<ChangeEvent> events = new ArrayList<>(2);
    RowData truncatedAsOf = ctx.getBroadcastState(truncateDescriptor).get(TRUNCATED_AS_OF);
    if (truncatedAsOf != null) {
      events.add(ChangeEvent.delete(truncatedAsOf));
    }
    events.add(layout.toEvent(row));
    Scd1State before = codec.decodeScd1(state.value());
    MergeResult<Scd1State> result = merger.apply(before, events);
    result.changes().forEach(out::collect);
    Scd1State after = result.state();
    if (after == before) {
      return;
    }
    if (coveredByTruncate(after, truncatedAsOf)) {
      state.clear();
      Long expiry = tombstoneExpiry.value();
      if (expiry != null) {
        ctx.timerService().deleteProcessingTimeTimer(expiry);
        tombstoneExpiry.clear();
      }
      return;
    }
    state.update(codec.encode(after));
    scheduleTombstoneExpiry(before, after, ctx.timerService().currentProcessingTime(), ctx);
  }

  /** A key with nothing newer than the truncate needs no state: the truncate stands in for its tombstone. */
  private boolean coveredByTruncate(Scd1State state, RowData truncatedAsOf) {
    return truncatedAsOf != null
        && !state.live()
        && order.compare(state.deleteSequence(), truncatedAsOf) == 0;
  }

  private void scheduleTombstoneExpiry(
      Scd1State before, Scd1State after, long now, ReadOnlyContext ctx) throws Exception {
    Long expiry = tombstoneExpiry.value();
    boolean newTombstone =
        after.tombstone()
            && (before == null
                || before.deleteSequence() == null
                || order.compare(before.deleteSequence(), after.deleteSequence()) != 0);
    if (expiry != null && (after.live() || newTombstone)) {
      ctx.timerService().deleteProcessingTimeTimer(expiry);
      tombstoneExpiry.clear();
    }
    if (newTombstone) {
      long at = now + retentionMillis;
      ctx.timerService().registerProcessingTimeTimer(at);
      tombstoneExpiry.update(at);
    }
  }

  @Override
  public void processBroadcastElement(RowData row, Context ctx, Collector<RowData> out)
      throws Exception {
    RowData sequence = layout.sequenceOf(row);
    RowData current = ctx.getBroadcastState(truncateDescriptor).get(TRUNCATED_AS_OF);
    if (current != null && order.compare(sequence, current) <= 0) {
      return;
    }
    ctx.getBroadcastState(truncateDescriptor).put(TRUNCATED_AS_OF, sequence);
    List<ChangeEvent> truncate = List.of(ChangeEvent.delete(sequence));
    ctx.applyToKeyedState(
        stateDescriptor(layout),
        (key, keyState) -> {
          MergeResult<Scd1State> result =
              merger.apply(codec.decodeScd1(keyState.value()), truncate);
          result.changes().forEach(out::collect);
          Scd1State after = result.state();
          if (coveredByTruncate(after, sequence)) {
            keyState.clear();
          } else {
            keyState.update(codec.encode(after));
          }
        });
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    Long expiry = tombstoneExpiry.value();
    if (expiry == null || expiry != timestamp) {
      return;
    }
    tombstoneExpiry.clear();
    Scd1State current = codec.decodeScd1(state.value());
    if (current != null && current.tombstone()) {
      state.clear();
    }
  }
}
