package io.tributary.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The data quality counts of one dataset over some rows, typically one epoch (the rows between two
 * checkpoints) of one subtask: per expectation, rows passed and failed, and rows dropped (a row failing
 * several {@code expect_or_drop} expectations is dropped once). Immutable; {@link #plus} adds the counts
 * of other subtasks or epochs. It is the payload of DLT's {@code flow_progress} event,
 * {@code data_quality: {dropped_records, expectations: [...]}}.
 *
 * <p>Its components are arrays of strings and longs so that Flink serializes it as a POJO, fast and
 * without Kryo, when {@link ExpectationOperator} emits it on {@link ExpectationOperator#DATA_QUALITY};
 * the accessors return copies.
 *
 * @param names the expectations' names, in declaration order
 * @param passed per expectation, the rows that met it
 * @param failed per expectation, the rows that did not (the constraint was FALSE or NULL)
 */
public record DataQuality(
    String dataset, String[] names, long[] passed, long[] failed, long droppedRecords)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public DataQuality {
    Objects.requireNonNull(dataset, "dataset");
    names = names.clone();
    passed = passed.clone();
    failed = failed.clone();
    if (passed.length != names.length || failed.length != names.length) {
      throw new IllegalArgumentException(
          "counts for "
              + names.length
              + " expectations expected, got "
              + passed.length
              + " passed and "
              + failed.length
              + " failed");
    }
  }

  /** No rows yet, for these expectations. */
  public static DataQuality empty(String dataset, List<String> names) {
    int n = names.size();
    return new DataQuality(dataset, names.toArray(String[]::new), new long[n], new long[n], 0);
  }

  @Override
  public String[] names() {
    return names.clone();
  }

  @Override
  public long[] passed() {
    return passed.clone();
  }

  @Override
  public long[] failed() {
    return failed.clone();
  }

  /** The counts per expectation, as the event log lists them. */
  public List<ExpectationResult> expectations() {
    List<ExpectationResult> results = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      results.add(new ExpectationResult(names[i], dataset, passed[i], failed[i]));
    }
    return List.copyOf(results);
  }

  /** Whether no row was counted. */
  public boolean isEmpty() {
    return droppedRecords == 0
        && Arrays.stream(passed).allMatch(c -> c == 0)
        && Arrays.stream(failed).allMatch(c -> c == 0);
  }

  /** The sum of both, which must count the same dataset and expectations. */
  public DataQuality plus(DataQuality other) {
    if (!dataset.equals(other.dataset) || !Arrays.equals(names, other.names)) {
      throw new IllegalArgumentException(
          "cannot add the counts of "
              + other.dataset
              + " "
              + Arrays.toString(other.names)
              + " to those of "
              + dataset
              + " "
              + Arrays.toString(names));
    }
    long[] p = passed.clone();
    long[] f = failed.clone();
    for (int i = 0; i < names.length; i++) {
      p[i] += other.passed[i];
      f[i] += other.failed[i];
    }
    return new DataQuality(dataset, names, p, f, droppedRecords + other.droppedRecords);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataQuality that
        && dataset.equals(that.dataset)
        && Arrays.equals(names, that.names)
        && Arrays.equals(passed, that.passed)
        && Arrays.equals(failed, that.failed)
        && droppedRecords == that.droppedRecords;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        dataset,
        Arrays.hashCode(names),
        Arrays.hashCode(passed),
        Arrays.hashCode(failed),
        droppedRecords);
  }

  @Override
  public String toString() {
    return "DataQuality[dataset="
        + dataset
        + ", expectations="
        + expectations()
        + ", droppedRecords="
        + droppedRecords
        + "]";
  }
}
