package io.tributary.runtime.engine;

/**
 * A streaming job's saved state does not fit the pipeline's current definition; the message names
 * the tables, what changed, and the fix (a full refresh of those tables). Never retried.
 */
public final class StateIncompatibleException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StateIncompatibleException(String message) {
    super(message);
  }
}
