package io.tributary.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The difference between an actual and an expected gold table, keyed by (event_date, event_type): what
 * the benchmark prints as PASS or FAIL, with the first differing rows so a failure can be read.
 */
public record GoldComparison(
    int actualRows, int expectedRows, List<String> differences, int totalDifferences) {

  /** Relative tolerance on {@code avg_duration}, as the baseline's README asks. */
  public static final double TOLERANCE = 1e-9;

  private static final int SHOWN = 5;

  public GoldComparison {
    differences = List.copyOf(differences);
  }

  /** Compares every row; duplicate keys on either side count as differences. */
  public static GoldComparison of(List<GoldRow> actual, List<GoldRow> expected) {
    List<String> diffs = new ArrayList<>();
    int[] total = {0};
    Map<String, GoldRow> act = index(actual, "actual", diffs, total);
    Map<String, GoldRow> exp = index(expected, "expected", diffs, total);
    for (Map.Entry<String, GoldRow> e : exp.entrySet()) {
      GoldRow a = act.get(e.getKey());
      if (a == null) {
        note(diffs, total, "missing " + e.getValue());
      } else if (!a.matches(e.getValue(), TOLERANCE)) {
        note(diffs, total, "expected " + e.getValue() + " but got " + a);
      }
    }
    act.keySet().stream()
        .filter(k -> !exp.containsKey(k))
        .forEach(k -> note(diffs, total, "unexpected " + act.get(k)));
    return new GoldComparison(actual.size(), expected.size(), diffs, total[0]);
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

  private static Map<String, GoldRow> index(
      List<GoldRow> rows, String side, List<String> diffs, int[] total) {
    Map<String, List<GoldRow>> byKey =
        rows.stream()
            .collect(Collectors.groupingBy(GoldRow::key, TreeMap::new, Collectors.toList()));
    byKey.forEach(
        (k, v) -> {
          if (v.size() > 1) {
            note(diffs, total, side + " has " + v.size() + " rows for " + k);
          }
        });
    return byKey.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().get(0), (a, b) -> a, TreeMap::new));
  }

  private static void note(List<String> diffs, int[] total, String text) {
    total[0]++;
    if (diffs.size() < SHOWN) {
      diffs.add(text);
    }
  }
}
