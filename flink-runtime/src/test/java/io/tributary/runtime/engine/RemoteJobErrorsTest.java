package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.quality.ExpectationViolationException;
import org.apache.flink.runtime.JobException;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;

/**
 * A remote cluster's failure arrives as Flink's {@link SerializedThrowable}, with every cause a
 * SerializedThrowable too when the client cannot load the original classes: the user's message must
 * still be the one shown, and a user's fault must still not be retried.
 */
class RemoteJobErrorsTest {

  private static final ExpectationViolationException VIOLATION =
      new ExpectationViolationException(
          "shop", "silver_orders", "valid_id", "id IS NOT NULL", "{id=NULL}");

  @Test
  void theDeepestMessageOfASerializedChainReachesTheUser() {
    Throwable remote =
        new SerializedThrowable(
            new JobException(
                "Recovery is suppressed by NoRestartBackoffTimeStrategy",
                new RuntimeException("Job execution failed", VIOLATION)));

    assertThat(remote.getCause()).isInstanceOf(SerializedThrowable.class);
    assertThat(JobErrors.rootMessage(remote)).isEqualTo(VIOLATION.getMessage());
  }

  @Test
  void aSerializedExpectationViolationIsNotRetried() {
    Throwable remote =
        new SerializedThrowable(new JobException("Recovery is suppressed", VIOLATION));

    assertThat(JobErrors.isRetryable(remote)).isFalse();
    assertThat(JobErrors.isRetryable(new SerializedThrowable(new JobException("TaskManager lost"))))
        .isTrue();
  }

  @Test
  void aRowTheExpressionsOfThePlannersCodeFailOnIsNotRetriedAnyOtherFailureIs() {
    RuntimeException cast;
    try {
      org.apache.flink.table.data.binary.BinaryStringDataUtil.toInt(
          org.apache.flink.table.data.binary.BinaryStringData.fromString("abc"));
      throw new AssertionError("'abc' was read as an INT");
    } catch (NumberFormatException e) {
      cast =
          new org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException(
              "Could not forward element to next operator", e);
    }

    assertThat(JobErrors.isRetryable(new JobException("Recovery is suppressed", cast)))
        .as("a row read from a Delta table or after a shuffle: no source named it")
        .isFalse();
    assertThat(
            JobErrors.isRetryable(
                new SerializedThrowable(new JobException("Recovery is suppressed", cast))))
        .as("the same, from a remote cluster")
        .isFalse();
    assertThat(
            JobErrors.isRetryable(
                new SerializedThrowable(
                    new JobException(
                        "task failed",
                        new java.io.UncheckedIOException(
                            new java.io.IOException("No space left on device"))))))
        .as("an I/O failure may pass")
        .isTrue();
    assertThat(
            JobErrors.isRetryable(
                new JobException(
                    "task failed",
                    new RuntimeException(
                        new org.apache.flink.runtime.execution.CancelTaskException()))))
        .isTrue();
  }
}
