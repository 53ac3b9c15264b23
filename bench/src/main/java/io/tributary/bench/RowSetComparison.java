package io.tributary.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The difference between two tables compared as multisets of text rows (the SCD tables: no row may be
 * missing, extra or repeated), printed by the benchmark as PASS or FAIL with the first differences.
 */
public record RowSetComparison(
    int actualRows, int expectedRows, List<String> differences, int totalDifferences) {

  private static final int SHOWN = 3;

  public RowSetComparison {
    differences = List.copyOf(differences);
  }

  /** Compares every row; a row repeated more often on one side than on the other is a difference. */
  public static RowSetComparison of(List<List<String>> actual, List<List<String>> expected) {
    Map<List<String>, Integer> counts = new HashMap<>();
    actual.forEach(r -> counts.merge(r, 1, Integer::sum));
    expected.forEach(r -> counts.merge(r, -1, Integer::sum));
    List<String> shown = new ArrayList<>();
    int total = 0;
    for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
      int n = e.getValue();
      if (n == 0) {
        continue;
      }
      total += Math.abs(n);
      if (shown.size() < SHOWN) {
        shown.add(
            (n > 0 ? "unexpected " : "missing ")
                + e.getKey()
                + (Math.abs(n) > 1 ? " x" + Math.abs(n) : ""));
      }
    }
    return new RowSetComparison(actual.size(), expected.size(), shown, total);
  }

  public boolean passed() {
    return totalDifferences == 0;
  }

  /** One line: PASS/FAIL, the row counts and the first differences. */
  public String summary() {
    return (passed() ? "PASS" : "FAIL")
        + " ("
        + actualRows
        + " rows, expected "
        + expectedRows
        + ", "
        + totalDifferences
        + " differing)"
        + (differences.isEmpty() ? "" : ": " + String.join("; ", differences));
  }
}
