package io.tributary.runtime.eventlog;

import io.tributary.quality.ExpectationOperator;
import io.tributary.runtime.delta.write.SingleInstance;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums one flow's {@link FlowMetrics} (rows from {@link RowCountOperator#METRICS}, expectation counts
 * from {@link ExpectationOperator#DATA_QUALITY}) per epoch over all subtasks and logs one {@code
 * flow_progress} METRICS event per epoch when that epoch's checkpoint completes (at
 * end of input for a bounded job). Runs with parallelism 1.
 *
 * <p><b>A flow whose table's committer logs its commits</b> (a streaming table's own flow, see {@link
 * CommitProgress}) is logged by that committer instead, one event per Delta commit, derived from what
 * the commit held: this operator then only hands each checkpoint's counts over, written to storage
 * while it snapshots the checkpoint (so before the checkpoint completes and the commit happens), and
 * keeps nothing in state. The rest of this comment is about the other flows (append flows, bounded
 * jobs).
 *
 * <p><b>Exact across failures.</b> The expectation operators emit an epoch's counts before its
 * barrier, so by the time this operator snapshots checkpoint {@code c} it has received exactly the
 * counts of epoch {@code c}; it keeps them as pending in operator state and logs them on {@code
 * notifyCheckpointComplete(c)}. After a restore from checkpoint {@code c}, pending epochs up to
 * {@code c} are known complete and are logged then (a notification lost in the failure); the counts
 * received after {@code c} were lost with their rows, which are replayed and counted again. The event
 * id is derived from (update, flow, epoch) and the journal keeps one event per id, so an epoch logged
 * both before a failure and after the restore appears once. Pending epochs in a savepoint of an
 * earlier update were logged by that update (its stop-with-savepoint notifies before the job ends) and
 * are dropped on restore.
 */
public final class FlowProgressOperator extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<FlowMetrics, Void>, BoundedOneInput {

  private static final long serialVersionUID = 1L;

  /** Where this flow's events and epoch counts go; also how its committer logs commits. */
  private final CommitProgress commits;

  private transient FlowMetrics current;
  private transient TreeMap<Long, FlowMetrics> pending;
  private transient ListState<PendingEpoch> state;

  /** Whether the table's committer logs this flow's commits; decided at the first checkpoint. */
  private transient Boolean committerLogs;

  /** An epoch's counts waiting for its checkpoint to complete, as kept in state. */
  public record PendingEpoch(String updateId, long checkpointId, FlowMetrics counts)
      implements Serializable {}

  /**
   * @param events where the flow's events go
   * @param flow the flow whose counts arrive here
   * @param dataset the dataset it writes
   */
  public FlowProgressOperator(UpdateEvents events, String flow, String dataset) {
    this.commits = new CommitProgress(events, flow, dataset);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    SingleInstance.check(getRuntimeContext(), "The flow progress logger of flow " + commits.flow());
    pending = new TreeMap<>();
    state =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "pending-data-quality", TypeInformation.of(PendingEpoch.class)));
    if (context.isRestored()) {
      for (PendingEpoch epoch : state.get()) {
        if (epoch.updateId().equals(commits.updateId())) {
          pending.merge(epoch.checkpointId(), epoch.counts(), FlowMetrics::plus);
        }
      }
      // a snapshot holds only epochs up to its own checkpoint, and Flink restores only completed
      // ones
      logUpTo(Long.MAX_VALUE);
    }
  }

  @Override
  public void processElement(StreamRecord<FlowMetrics> element) {
    FlowMetrics counts = element.getValue();
    current = current == null ? counts : current.plus(counts);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    if (committerLogs == null) {
      // the committer claims the flow in its initializeState, before any checkpoint can start
      committerLogs = commits.claimed();
    }
    if (committerLogs) {
      if (current != null) {
        commits.writeEpoch(context.getCheckpointId(), current);
        current = null;
      }
      state.update(List.of());
      return;
    }
    if (current != null) {
      pending.merge(context.getCheckpointId(), current, FlowMetrics::plus);
      current = null;
    }
    List<PendingEpoch> entries = new ArrayList<>();
    pending.forEach((id, counts) -> entries.add(new PendingEpoch(commits.updateId(), id, counts)));
    state.update(entries);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    if (!Boolean.TRUE.equals(committerLogs)) {
      logUpTo(checkpointId);
    }
  }

  @Override
  public void endInput() {
    if (current == null) {
      return;
    }
    if (committerLogs == null) {
      // no checkpoint was taken: a job without checkpoints, whose committer does not claim the flow
      committerLogs = commits.claimed();
    }
    if (!committerLogs) {
      commits.logEpoch("end", current);
      current = null;
    }
  }

  private void logUpTo(long checkpointId) {
    Iterator<Map.Entry<Long, FlowMetrics>> it =
        pending.headMap(checkpointId, true).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, FlowMetrics> epoch = it.next();
      commits.logEpoch(Long.toString(epoch.getKey()), epoch.getValue());
      it.remove();
    }
  }
}
