package io.tributary.runtime;

/** Hears an update's progress as it happens: the CLI prints it, a service may record it. */
@FunctionalInterface
public interface UpdateListener {

  /** {@code dataset}'s flow reached {@code state}; {@code detail} says more, or is empty. */
  void onFlow(String dataset, FlowState state, String detail);

  /**
   * {@code dataset}'s flow has written {@code rows} rows so far in this update, heard about once a
   * second while its job runs and once more when it ends. Live figures from Flink's accumulators:
   * rows replayed after a failure count again, a new attempt of a flow counts from zero. The exact
   * counts of each committed micro-batch are the event log's {@code flow_progress} events.
   */
  default void onRows(String dataset, long rows) {}

  /**
   * Something about the pipeline the user should hear before the update runs, e.g. that it took over
   * the lock of a killed process or closed an update that ended without closing.
   */
  default void onNotice(String message) {}

  /** Hears nothing. */
  UpdateListener NONE = (dataset, state, detail) -> {};
}
