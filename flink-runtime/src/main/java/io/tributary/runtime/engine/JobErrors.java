package io.tributary.runtime.engine;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.runtime.source.SourceRowException;
import org.apache.flink.runtime.throwable.ThrowableClassifier;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.SerializedThrowable;

/** Finds the message a user should read in a job failure's chain of causes. */
final class JobErrors {

  /**
   * Non-recoverable failures that a remote cluster's result carries as {@link SerializedThrowable}s,
   * whose classes (and so their annotations) this side may not load.
   */
  private static final java.util.Set<String> NOT_RETRYABLE_BY_NAME =
      java.util.Set.of(
          "io.tributary.quality.ExpectationViolationException", SourceRowException.class.getName());

  private JobErrors() {}

  /**
   * The most specific message of {@code error}'s causes: Flink wraps a task's failure in several
   * layers ("Job execution failed", "Recovery is suppressed"), and the user's problem is the deepest.
   */
  static String rootMessage(Throwable error) {
    for (Throwable c = error; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof JobFailedException failed && failed.hasWholeMessage()) {
        return failed.getMessage();
      }
    }
    Throwable current = ExceptionUtils.stripExecutionException(error);
    String message = describe(current);
    while (current.getCause() != null && current.getCause() != current) {
      current = current.getCause();
      if (current.getMessage() != null && !current.getMessage().isBlank()) {
        message = describe(current);
      }
    }
    return io.tributary.runtime.storage.StorageErrors.explain(message, error);
  }

  /**
   * Whether running the job again may help: not for a problem only the user can fix, such as an
   * expect_or_fail violation (Flink's non-recoverable errors), a row on which an expression of the
   * planner's code throws ({@link SourceRowException#thrownByThePlannersCode}: the same row fails
   * again), a definition error, or state that does not fit the definition.
   */
  static boolean isRetryable(Throwable error) {
    if (SourceRowException.thrownByThePlannersCode(error)) {
      return false; // an expression failing on a row's values fails again on the same row
    }
    for (Throwable cause = error;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof PipelineDefinitionException
          || cause instanceof StateIncompatibleException
          || cause.getClass().getName().equals("io.tributary.quality.ExpectationViolationException")
          || ThrowableClassifier.getThrowableType(cause) == ThrowableType.NonRecoverableError) {
        return false;
      }
      if (cause instanceof SerializedThrowable serialized
          && NOT_RETRYABLE_BY_NAME.contains(serialized.getOriginalErrorClassName())) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    // a remote cluster's failure whose class this side cannot load: Flink's SerializedThrowable,
    // whose causes carry the original's toString() ("class: message") as their message
    if (error instanceof SerializedThrowable serialized
        && message != null
        && message.startsWith(serialized.getOriginalErrorClassName() + ": ")) {
      message = message.substring(serialized.getOriginalErrorClassName().length() + 2);
    }
    return message == null || message.isBlank()
        ? error.getClass().getSimpleName()
        : message.strip();
  }
}
