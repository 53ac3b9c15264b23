package io.tributary.runtime.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waiting in tests with a deadline: a wait that never ends hangs the build instead of failing it, and a
 * retry that swallows every exception hides the failure it should report. Both fail with an
 * {@link AssertionError} naming what was awaited.
 *
 * <pre>{@code
 * Await.until("400 rows emitted", Duration.ofSeconds(60), () -> EMITTED.size() >= 400);
 * String savepoint = Await.retrying("a savepoint of " + job, Duration.ofSeconds(60),
 *     Await.messageContains("Not all required tasks"), () -> client.stopWithSavepoint(…).get());
 * }</pre>
 */
public final class Await {

  private static final Duration POLL = Duration.ofMillis(20);

  private Await() {}

  /** Checks {@code condition} every 20 ms until it holds; fails once {@code timeout} has passed. */
  public static void until(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    until(what, timeout, POLL, condition);
  }

  /** Checks {@code condition} every {@code interval} until it holds; fails once {@code timeout} has passed. */
  public static void until(
      String what, Duration timeout, Duration interval, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(Math.max(1, interval.toMillis()));
    }
  }

  /**
   * Calls {@code action} until it returns, again after 100 ms when it throws what {@code retryable}
   * accepts; any other exception is thrown as it is, and a retryable one still thrown at the deadline
   * fails with it as the cause.
   */
  public static <T> T retrying(
      String what, Duration timeout, Predicate<Throwable> retryable, Callable<T> action)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return action.call();
      } catch (Exception e) {
        if (!retryable.test(e)) {
          throw e;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError(
              "Timed out after " + timeout + " retrying " + what + "; last failure: " + e, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** Accepts an exception when it or one of its causes has a message containing {@code text}. */
  public static Predicate<Throwable> messageContains(String text) {
    Objects.requireNonNull(text, "text");
    return e -> {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t.getMessage() != null && t.getMessage().contains(text)) {
          return true;
        }
      }
      return false;
    };
  }
}
