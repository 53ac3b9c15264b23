package io.tributary.runtime.engine;

import org.apache.flink.util.ExceptionUtils;

/** Finds the message a user should read in a job failure's chain of causes. */
final class JobErrors {

  private JobErrors() {}

  /**
   * The most specific message of {@code error}'s causes: Flink wraps a task's failure in several
   * layers ("Job execution failed", "Recovery is suppressed"), and the user's problem is the deepest.
   */
  static String rootMessage(Throwable error) {
    Throwable current = ExceptionUtils.stripExecutionException(error);
    String message = describe(current);
    while (current.getCause() != null && current.getCause() != current) {
      current = current.getCause();
      if (current.getMessage() != null && !current.getMessage().isBlank()) {
        message = describe(current);
      }
    }
    return message;
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getSimpleName() : message.strip();
  }
}
