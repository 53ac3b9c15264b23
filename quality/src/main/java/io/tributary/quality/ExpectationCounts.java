package io.tributary.quality;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Running counts of one dataset's expectations in one subtask, updated row by row by
 * {@link ExpectationEvaluator}. Mutable and not thread-safe, as a task's state is; {@link #snapshot()}
 * gives the immutable {@link DataQuality} that leaves the task.
 */
public final class ExpectationCounts {

  private final String dataset;
  private final List<String> names;
  private final long[] passed;
  private final long[] failed;
  private long dropped;

  public ExpectationCounts(String dataset, List<String> names) {
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    this.names = List.copyOf(names);
    this.passed = new long[names.size()];
    this.failed = new long[names.size()];
  }

  public long passed(int expectation) {
    return passed[expectation];
  }

  public long failed(int expectation) {
    return failed[expectation];
  }

  public long dropped() {
    return dropped;
  }

  /** Whether nothing was counted since creation or the last {@link #reset()}. */
  public boolean isEmpty() {
    if (dropped != 0) {
      return false;
    }
    for (int i = 0; i < passed.length; i++) {
      if (passed[i] != 0 || failed[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The counts so far, immutable. */
  public DataQuality snapshot() {
    return new DataQuality(dataset, names.toArray(String[]::new), passed, failed, dropped);
  }

  /** Back to zero, as at the start of an epoch. */
  public void reset() {
    Arrays.fill(passed, 0);
    Arrays.fill(failed, 0);
    dropped = 0;
  }

  void pass(int expectation) {
    passed[expectation]++;
  }

  void fail(int expectation) {
    failed[expectation]++;
  }

  void drop() {
    dropped++;
  }
}
