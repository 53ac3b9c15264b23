package io.tributary.runtime;

/** The states of a pipeline update. */
public enum UpdateState {
  QUEUED,
  INITIALIZING,
  RUNNING,
  COMPLETED,
  FAILED,
  STOPPED
}
