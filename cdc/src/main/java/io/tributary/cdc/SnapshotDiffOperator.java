package io.tributary.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;

/**
 * The full outer join, by key, of the previous snapshot (the target's current rows) with the new
 * snapshots of one run, diffed by {@link SnapshotDiff}: a BATCH join over whole snapshots on a keyed
 * stream. A keyed process function cannot list its keys, and a timer at the end of time is not safe
 * either (an idle source lets the final watermark through before its rows), so this operator keeps
 * each key's rows in keyed state and, when its input has ended ({@link BoundedOneInput}: every
 * upstream channel finished), walks the keys of that state.
 *
 * <pre>{@code
 * diffInput.keyBy(changes.layout().keySelector(), changes.layout().keyTypeInfo())
 *     .transform("diff", changes.feedTypeInfo(), new SnapshotDiffOperator(changes, versions));
 * }</pre>
 */
public final class SnapshotDiffOperator extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {

  private static final long serialVersionUID = 1L;
  private static final String STATE = "snapshot-diff-rows";

  private final SnapshotChanges changes;
  private final SnapshotDiff diff;
  private transient ListState<RowData> rows;
  private transient RowDataSerializer serializer;

  public SnapshotDiffOperator(SnapshotChanges changes, long[] versions) {
    this.changes = Objects.requireNonNull(changes, "changes");
    this.diff = new SnapshotDiff(changes, versions);
  }

  @Override
  public void open() throws Exception {
    super.open();
    serializer = new RowDataSerializer(changes.diffType());
    rows = getPartitionedState(new ListStateDescriptor<>(STATE, changes.diffTypeInfo()));
  }

  @Override
  public void processElement(StreamRecord<RowData> element) throws Exception {
    rows.add(serializer.copy(element.getValue()));
  }

  @Override
  public void endInput() throws Exception {
    List<RowData> keys;
    KeyedStateBackend<RowData> backend = getKeyedStateBackend();
    try (Stream<RowData> stream = backend.getKeys(STATE, VoidNamespace.INSTANCE)) {
      keys = stream.toList(); // listed first: the state is cleared key by key below
    }
    for (RowData key : keys) {
      setCurrentKey(key);
      List<RowData> keyRows = new ArrayList<>();
      rows.get().forEach(keyRows::add);
      rows.clear();
      for (RowData change : diff.diff(keyRows)) {
        output.collect(new StreamRecord<>(change));
      }
    }
  }
}
