package io.tributary.dsl.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependency order of a plan's datasets, and the cycle that prevents one. Both are
 * deterministic: ties and the start of a cycle are chosen by declaration order, since golden
 * {@code describe()} text and job names depend on them.
 */
final class PlanOrder {

  private PlanOrder() {}

  /** Kahn's algorithm, choosing the earliest-declared ready dataset first so the order is deterministic. */
  static List<DatasetSpec> topologicalOrder(
      Map<String, DatasetSpec> byName, Map<String, List<Input>> inputs, List<String> problems) {
    List<String> names = new ArrayList<>(byName.keySet());
    Map<String, Integer> unresolved = new HashMap<>();
    for (String name : names) {
      unresolved.put(
          name,
          (int)
              inputs.getOrDefault(name, List.of()).stream()
                  .map(Input::dataset)
                  .distinct()
                  .filter(byName::containsKey)
                  .count());
    }
    List<DatasetSpec> sorted = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    boolean progress = true;
    while (progress && done.size() < names.size()) {
      progress = false;
      for (String name : names) {
        if (!done.contains(name) && unresolved.get(name) == 0) {
          done.add(name);
          sorted.add(byName.get(name));
          for (String other : names) {
            if (inputs.getOrDefault(other, List.of()).stream()
                .map(Input::dataset)
                .distinct()
                .anyMatch(name::equals)) {
              unresolved.merge(other, -1, Integer::sum);
            }
          }
          progress = true;
          break;
        }
      }
    }
    if (done.size() < names.size()) {
      problems.add(DefinitionErrors.cycle(findCycle(names, done, inputs)));
    }
    return sorted;
  }

  private static List<String> findCycle(
      List<String> names, Set<String> done, Map<String, List<Input>> inputs) {
    String start = names.stream().filter(n -> !done.contains(n)).findFirst().orElseThrow();
    Deque<String> path = new ArrayDeque<>();
    Set<String> onPath = new LinkedHashSet<>();
    String current = start;
    while (!onPath.contains(current)) {
      onPath.add(current);
      path.addLast(current);
      String from = current;
      current =
          inputs.getOrDefault(from, List.of()).stream()
              .map(Input::dataset)
              .filter(n -> names.contains(n) && !done.contains(n))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no cycle through " + from));
    }
    // path holds readers; each reads the next. Report it in data-flow order: input -> reader.
    List<String> cycle = new ArrayList<>();
    boolean inCycle = false;
    for (String name : path) {
      inCycle |= name.equals(current);
      if (inCycle) {
        cycle.add(0, name);
      }
    }
    // Start at the earliest-declared dataset of the cycle, so the text does not depend on where the
    // walk began.
    int first =
        cycle.indexOf(cycle.stream().min(Comparator.comparingInt(names::indexOf)).orElseThrow());
    Collections.rotate(cycle, -first);
    cycle.add(cycle.get(0));
    return cycle;
  }
}
