package io.tributary.runtime.engine;

/** A job of an update failed; the message names the job and the root cause. */
public final class JobFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Whether the message is whole: what the user should read, rather than a cause's deeper message. */
  private final boolean whole;

  public JobFailedException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private JobFailedException(String message, Throwable cause, boolean whole) {
    super(message, cause);
    this.whole = whole;
  }

  /**
   * A failure whose message already says all a user needs (a row that made an expression throw, with
   * its pipeline, dataset, file and line): {@link JobErrors#rootMessage} reports it as it is instead of
   * its cause's deeper, barer message.
   */
  static JobFailedException withWholeMessage(String message, Throwable cause) {
    return new JobFailedException(message, cause, true);
  }

  boolean hasWholeMessage() {
    return whole;
  }
}
