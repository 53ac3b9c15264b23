package io.tributary.runtime.delta.write;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * An operator that must run as exactly one instance: a table's Delta committer (it makes the table's
 * commits in order, from all writers' files) and a flow's progress logger (it sums the counts of all
 * subtasks).
 *
 * <pre>{@code
 * SingleInstance.of(files.transform("Delta committer " + path, Types.VOID, committer));
 * // and in the operator's initializeState:
 * SingleInstance.check(getRuntimeContext(), "the Delta committer of table " + path);
 * }</pre>
 *
 * <p><b>A task of its own, parallelism 1, no maximum parallelism.</b> Flink records in a savepoint,
 * for each operator, its task's maximum parallelism, and refuses to restore an operator into a task
 * whose maximum was set explicitly to another. Until this class, such an operator had a maximum of 1
 * and was chained into its upstream task only when that ran at parallelism 1 too: so its layout, and
 * the maximum saved for it (128, the upstream task's, or 1), depended on the pipeline's parallelism,
 * and an update at parallelism 2 refused the state of one at 1 ("Max parallelism mismatch"). Now it
 * always heads its own task, at every parallelism, and sets no maximum, so its task takes the maximum
 * its state was saved with: 128 from a savepoint of the chained layout, 1 from one of its own task.
 * Chained again, a task would hold operators saved with different maxima and Flink would give the
 * whole task one of them, the upstream's keyed state included; heading its own task keeps every
 * operator of a task on one maximum. What the maximum of 1 also did, keep a scheduler that rescales
 * every operator (Flink's reactive mode) from running more than one instance, {@link #check} does
 * instead: it fails the job before the operator reads its state.
 */
public final class SingleInstance {

  private SingleInstance() {}

  /** Runs {@code operator} as one instance heading its own task, and returns it. */
  public static <T> SingleOutputStreamOperator<T> of(SingleOutputStreamOperator<T> operator) {
    return operator.setParallelism(1).startNewChain();
  }

  /**
   * Fails if the operator runs as more than one instance.
   *
   * @param operator what the operator is, for the message: "the Delta committer of table …"
   * @throws IllegalStateException if its task has more than one subtask
   */
  public static void check(RuntimeContext context, String operator) {
    int instances = context.getTaskInfo().getNumberOfParallelSubtasks();
    if (instances != 1) {
      throw new IllegalStateException(
          operator
              + " runs as "
              + instances
              + " parallel instances, and must run as one: a scheduler rescaled it (Flink's reactive"
              + " mode rescales every operator to the slots it has). Run Tributary's jobs with the"
              + " default scheduler, or the adaptive one without reactive mode (scheduler-mode"
              + " unset)");
    }
  }
}
