package io.tributary.runtime.engine;

import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.translate.JobContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one job, and in production mode runs it again after a failure, up to
 * {@link RunSettings#maxFlowRetries()} times with a doubling backoff; each failed attempt is a FAILED
 * flow event. Development mode fails fast. A failure the user must fix (an expect_or_fail violation,
 * a definition or state-compatibility error) is never retried, nor is one after a stop was asked for.
 * A new attempt restores the newest checkpoint the failed attempt completed (or the previous update's
 * savepoint if it completed none), so its sources resume after what its committed epochs hold, and
 * epochs pending in that checkpoint are committed once (the committer skips transaction versions the
 * table has).
 */
final class FlowRetries {

  /** One run of a job; returns false if a stop request ended it before it caught up. */
  @FunctionalInterface
  interface Attempt {
    boolean run(JobContext context) throws InterruptedException;
  }

  private final int retries;
  private final Duration firstBackoff;

  FlowRetries(RunSettings settings) {
    this.retries = settings.development() ? 0 : settings.maxFlowRetries();
    this.firstBackoff = settings.retryBackoff();
  }

  boolean run(
      JobContext context,
      Attempt attempt,
      UpdateListener listener,
      CompletableFuture<Void> stopRequest)
      throws InterruptedException {
    Duration backoff = firstBackoff;
    for (int number = 1; ; number++) {
      try {
        return attempt.run(context.forAttempt(number));
      } catch (RuntimeException e) {
        if (number > retries || !JobErrors.isRetryable(e) || stopRequest.isDone()) {
          throw e;
        }
        String detail =
            "attempt "
                + number
                + " of "
                + (retries + 1)
                + " failed: "
                + JobErrors.rootMessage(e)
                + "; retrying in "
                + backoff.toMillis()
                + " ms";
        context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.FAILED, detail));
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2);
        String retry = "retry " + number + " of " + retries;
        context.job().datasets().forEach(d -> listener.onFlow(d, FlowState.STARTING, retry));
      }
    }
  }
}
