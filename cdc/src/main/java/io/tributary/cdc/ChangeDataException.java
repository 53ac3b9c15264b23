package io.tributary.cdc;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A change in the feed cannot be applied (for example its sequence value is NULL). This is a fault of
 * the data, not of Tributary: the message names the target, the row, and how to fix the source.
 * Non-recoverable for Flink, as a failed expectation is: running the job again meets the same row, and
 * Flink's restarts only buried this message under a later "Task local checkpoint failure".
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class ChangeDataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ChangeDataException(String message) {
    super(message);
  }
}
