package io.tributary.quality;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A row failed an {@code expect_or_fail} expectation: the update stops and commits nothing of the
 * epoch the row belongs to. Never retryable (the same data fails again), which Flink honours too: the
 * annotation makes Flink's failover skip its restart strategy and fail the job at once, wherever the
 * exception is in the cause chain. A runner recognises it with
 * {@code ExceptionUtils.findThrowable(error, ExpectationViolationException.class)}.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class ExpectationViolationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String pipeline;
  private final String dataset;
  private final String expectation;
  private final String constraint;
  private final String row;

  public ExpectationViolationException(
      String pipeline, String dataset, String expectation, String constraint, String row) {
    super(ExpectationErrors.violation(pipeline, dataset, expectation, constraint, row));
    this.pipeline = pipeline;
    this.dataset = dataset;
    this.expectation = expectation;
    this.constraint = constraint;
    this.row = row;
  }

  public String pipeline() {
    return pipeline;
  }

  public String dataset() {
    return dataset;
  }

  public String expectation() {
    return expectation;
  }

  public String constraint() {
    return constraint;
  }

  /** The offending row as text, such as {@code {id=null, amount=5}}. */
  public String row() {
    return row;
  }
}
