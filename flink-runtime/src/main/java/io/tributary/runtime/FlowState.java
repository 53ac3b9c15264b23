package io.tributary.runtime;

/** The states of a flow within an update, as Delta Live Tables names them. */
public enum FlowState {
  QUEUED,
  PLANNING,
  STARTING,
  RUNNING,
  COMPLETED,
  FAILED,
  SKIPPED,
  STOPPED,
  EXCLUDED;

  public boolean isTerminal() {
    return this == COMPLETED
        || this == FAILED
        || this == SKIPPED
        || this == STOPPED
        || this == EXCLUDED;
  }
}
