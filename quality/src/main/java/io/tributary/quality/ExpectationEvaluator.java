package io.tributary.quality;

import io.tributary.dsl.plan.Expectation;
import io.tributary.dsl.plan.ExpectationAction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decides what happens to a row from whether it met each of its dataset's expectations, with Delta
 * Live Tables semantics, and counts it. Independent of a running cluster: {@link ExpectationOperator}
 * calls it per row, and a test driver may call it directly. Immutable and serializable, so it travels
 * in a job graph.
 *
 * <ul>
 *   <li>A row failing an {@code expect_or_fail} expectation fails the update ({@link Verdict#FAIL}); it
 *       is not counted, as the epoch it belongs to is never committed.
 *   <li>Otherwise the row is counted as passed or failed for every expectation, and, when it failed at
 *       least one {@code expect_or_drop} expectation, dropped once ({@link Verdict#DROP}).
 *   <li>Otherwise it is kept ({@link Verdict#KEEP}), whatever {@code expect} expectations it failed.
 * </ul>
 *
 * <pre>{@code
 * ExpectationEvaluator evaluator = ExpectationEvaluator.of("p", "silver", spec.expectations());
 * ExpectationCounts counts = evaluator.newCounts();
 * Verdict verdict = evaluator.evaluate(new boolean[] {true, false}, counts);
 * }</pre>
 */
public final class ExpectationEvaluator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What happens to a row. */
  public enum Verdict {
    /** Write it. */
    KEEP,
    /** Do not write it: it failed an {@code expect_or_drop} expectation. */
    DROP,
    /** Stop the update: it failed an {@code expect_or_fail} expectation. */
    FAIL
  }

  private final String pipeline;
  private final String dataset;
  private final String[] names;
  private final String[] constraints;
  private final ExpectationAction[] actions;

  private ExpectationEvaluator(String pipeline, String dataset, List<Expectation> expectations) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    this.names = expectations.stream().map(Expectation::name).toArray(String[]::new);
    this.constraints = expectations.stream().map(Expectation::constraint).toArray(String[]::new);
    this.actions = expectations.stream().map(Expectation::action).toArray(ExpectationAction[]::new);
  }

  /** The evaluator of a dataset's expectations, in the order of their flag columns. */
  public static ExpectationEvaluator of(
      String pipeline, String dataset, List<Expectation> expectations) {
    return new ExpectationEvaluator(pipeline, dataset, List.copyOf(expectations));
  }

  public String pipeline() {
    return pipeline;
  }

  public String dataset() {
    return dataset;
  }

  /** The number of expectations, which is the number of flag columns a row carries. */
  public int size() {
    return names.length;
  }

  public List<Expectation> expectations() {
    List<Expectation> list = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      list.add(new Expectation(names[i], constraints[i], actions[i]));
    }
    return List.copyOf(list);
  }

  /** Zero counts for this dataset's expectations. */
  public ExpectationCounts newCounts() {
    return new ExpectationCounts(dataset, Arrays.asList(names));
  }

  /**
   * The verdict on a row that adds data (an insert or the new value of an update), counted into
   * {@code counts} unless it is {@link Verdict#FAIL}.
   *
   * @param passed per expectation, whether the row met it
   */
  public Verdict evaluate(boolean[] passed, ExpectationCounts counts) {
    checkSize(passed);
    if (failedExpectation(passed) >= 0) {
      return Verdict.FAIL;
    }
    boolean drop = false;
    for (int i = 0; i < passed.length; i++) {
      if (passed[i]) {
        counts.pass(i);
      } else {
        counts.fail(i);
        drop |= actions[i] == ExpectationAction.DROP;
      }
    }
    if (drop) {
      counts.drop();
      return Verdict.DROP;
    }
    return Verdict.KEEP;
  }

  /**
   * The verdict on a row that retracts data (a delete, or the old value of an update): dropped when it
   * fails an {@code expect_or_drop} expectation, as the row it retracts was, and otherwise kept; it is
   * neither counted (its row was counted when added) nor fails the update (its row already passed).
   */
  public Verdict evaluateRetraction(boolean[] passed) {
    checkSize(passed);
    for (int i = 0; i < passed.length; i++) {
      if (!passed[i] && actions[i] == ExpectationAction.DROP) {
        return Verdict.DROP;
      }
    }
    return Verdict.KEEP;
  }

  /** The index of the first {@code expect_or_fail} expectation the row failed, or -1. */
  public int failedExpectation(boolean[] passed) {
    for (int i = 0; i < passed.length; i++) {
      if (!passed[i] && actions[i] == ExpectationAction.FAIL) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The error that stops the update when a row fails an {@code expect_or_fail} expectation.
   *
   * @param row the offending row as text, such as {@code {id=null, amount=5}}
   */
  public ExpectationViolationException violation(int expectation, String row) {
    return new ExpectationViolationException(
        pipeline, dataset, names[expectation], constraints[expectation], row);
  }

  private void checkSize(boolean[] passed) {
    if (passed.length != names.length) {
      throw new IllegalArgumentException(
          "dataset "
              + dataset
              + " has "
              + names.length
              + " expectations, but a row carries "
              + passed.length
              + " results");
    }
  }
}
