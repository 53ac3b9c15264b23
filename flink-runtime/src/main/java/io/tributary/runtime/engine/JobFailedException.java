package io.tributary.runtime.engine;

/** A job of an update failed; the message names the job and the root cause. */
public final class JobFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JobFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
