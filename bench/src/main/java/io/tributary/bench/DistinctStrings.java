package io.tributary.bench;

import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A set of strings, compact for the generator's identifiers: a string made of a prefix and at most ten
 * digits (a number below 2^31) ({@code evt-0000000042}, {@code c0001234}) is one bit in a {@link BitSet} kept per prefix and
 * digit count (so {@code c01} and {@code c1} stay apart); any other string is kept as itself. The
 * recomputations of 100M events need it: 97.5M event ids and the distinct users of 5,848 groups as
 * {@code String}s would take about 18 GB of heap, as bits about 30 MB.
 */
final class DistinctStrings {

  private static final int MAX_DIGITS = 10;

  private final Map<String, BitSet> numbered = new HashMap<>();
  private final Set<String> others = new HashSet<>();
  private long size;

  /** Adds {@code value}: whether it was not in the set yet. */
  boolean add(String value) {
    int digitsFrom = value.length();
    while (digitsFrom > 0 && Character.isDigit(value.charAt(digitsFrom - 1))) {
      digitsFrom--;
    }
    int digits = value.length() - digitsFrom;
    boolean added;
    if (digits == 0 || digits > MAX_DIGITS) {
      added = others.add(value);
    } else {
      BitSet bits =
          numbered.computeIfAbsent(
              value.substring(0, digitsFrom) + "#" + digits, k -> new BitSet());
      int n = Integer.parseInt(value, digitsFrom, value.length(), 10);
      added = !bits.get((int) n);
      bits.set((int) n);
    }
    if (added) {
      size++;
    }
    return added;
  }

  /** How many distinct strings were added. */
  long size() {
    return size;
  }
}
