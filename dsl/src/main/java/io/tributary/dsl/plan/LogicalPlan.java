package io.tributary.dsl.plan;

import io.tributary.dsl.PipelineDefinitionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A pipeline's validated, immutable logical graph: datasets in dependency order (ties kept in
 * declaration order), the flows that write them, and the inputs each one reads.
 *
 * <p>Made by {@code Pipeline.build()} from the explicit reads ({@code from("dataset")},
 * {@code applyChanges(…).from(…)}); the reads inside {@code query} lambdas and SQL are known only to
 * Flink's planner, so the runtime's analyzer adds them with {@link #withResolvedInputs}, which
 * validates and orders the graph again. The plan knows nothing of Flink's runtime.
 */
public final class LogicalPlan {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private final String pipeline;
  private final Map<String, String> configuration;
  private final List<DatasetSpec> declared;
  private final List<DatasetSpec> datasets;
  private final List<ApplyChangesSpec> applyChanges;
  private final List<AppendFlowSpec> appendFlows;
  private final List<SnapshotChangesSpec> snapshotChanges;
  /** Each dataset's own reads: its query's, its apply-changes flow's source, or its snapshots' source. */
  private final Map<String, List<Input>> ownInputs;
  /** Each append flow's reads, by flow name. */
  private final Map<String, List<Input>> flowInputs;
  /** The graph's edges: each dataset's own reads and those of the append flows into it. */
  private final Map<String, List<Input>> inputs;

  private LogicalPlan(String pipeline, Map<String, String> configuration, List<DatasetSpec> declared,
      List<DatasetSpec> datasets, List<ApplyChangesSpec> applyChanges, List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges, Map<String, List<Input>> ownInputs,
      Map<String, List<Input>> flowInputs) {
    this.pipeline = pipeline;
    this.configuration = Map.copyOf(configuration);
    this.declared = List.copyOf(declared);
    this.datasets = List.copyOf(datasets);
    this.applyChanges = List.copyOf(applyChanges);
    this.appendFlows = List.copyOf(appendFlows);
    this.snapshotChanges = List.copyOf(snapshotChanges);
    // Declaration order, so that re-validation reports problems in a stable order.
    this.ownInputs = copyOf(ownInputs);
    this.flowInputs = copyOf(flowInputs);
    this.inputs = copyOf(edges(appendFlows, ownInputs, flowInputs));
  }

  private static Map<String, List<Input>> copyOf(Map<String, List<Input>> inputs) {
    Map<String, List<Input>> copy = new LinkedHashMap<>();
    inputs.forEach((dataset, reads) -> copy.put(dataset, List.copyOf(reads)));
    return Collections.unmodifiableMap(copy);
  }

  /** A dataset's own reads followed by those of the append flows into it, each input once per mode. */
  private static Map<String, List<Input>> edges(List<AppendFlowSpec> appendFlows, Map<String, List<Input>> ownInputs,
      Map<String, List<Input>> flowInputs) {
    Map<String, List<Input>> edges = new LinkedHashMap<>(ownInputs);
    for (AppendFlowSpec flow : appendFlows) {
      if (flow.target().isPresent() && edges.containsKey(flow.target().get())) {
        Set<Input> reads = new LinkedHashSet<>(edges.get(flow.target().get()));
        reads.addAll(flowInputs.getOrDefault(flow.name(), List.of()));
        edges.put(flow.target().get(), List.copyOf(reads));
      }
    }
    return edges;
  }

  /**
   * Validates the declared datasets and flows and orders them.
   *
   * @throws PipelineDefinitionException naming every problem found
   */
  public static LogicalPlan of(String pipeline, Map<String, String> configuration, List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges) {
    return of(pipeline, configuration, declared, applyChanges, List.of(), List.of());
  }

  /**
   * Validates the declared datasets and flows (apply-changes, applyChangesFromSnapshot and append
   * flows), and orders them.
   *
   * @throws PipelineDefinitionException naming every problem found
   */
  public static LogicalPlan of(String pipeline, Map<String, String> configuration, List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges, List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges) {
    Objects.requireNonNull(pipeline, "pipeline");
    List<String> problems = new ArrayList<>();
    checkNames(declared, applyChanges, problems);
    checkDatasets(declared, problems);
    Set<String> snapshotTargets = snapshotTargets(snapshotChanges);
    checkApplyChanges(declared, applyChanges, appendFlows, snapshotTargets, problems);
    SnapshotChangesChecks.check(declared, applyChanges, snapshotChanges, problems);
    checkAppendFlows(declared, applyChanges, snapshotTargets, appendFlows, problems);

    Map<String, List<Input>> explicit = new LinkedHashMap<>();
    for (DatasetSpec dataset : declared) {
      explicit.put(dataset.name(), dataset.query().flatMap(Query::explicitInput).map(List::of).orElse(List.of()));
    }
    for (ApplyChangesSpec flow : applyChanges) {
      flow.source().ifPresent(source -> explicit.merge(flow.target(), List.of(Input.stream(source)),
          (a, b) -> concat(a, b)));
    }
    for (SnapshotChangesSpec flow : snapshotChanges) {
      flow.sourceDataset().ifPresent(source -> explicit.merge(flow.target(), List.of(Input.snapshot(source)),
          (a, b) -> concat(a, b)));
    }
    Map<String, List<Input>> explicitFlows = new LinkedHashMap<>();
    for (AppendFlowSpec flow : appendFlows) {
      explicitFlows.putIfAbsent(flow.name(),
          flow.query().flatMap(Query::explicitInput).map(List::of).orElse(List.of()));
    }
    return ordered(pipeline, configuration, declared, applyChanges, appendFlows, snapshotChanges, explicit,
        explicitFlows, problems);
  }

  /**
   * This plan with the inputs that analysis found for some datasets (replacing what was known for
   * them), validated and ordered again.
   *
   * @throws PipelineDefinitionException for an undefined input, an invalid read or a cycle
   */
  public LogicalPlan withResolvedInputs(Map<String, List<Input>> resolved) {
    Map<String, List<Input>> merged = new LinkedHashMap<>(ownInputs);
    Map<String, List<Input>> mergedFlows = new LinkedHashMap<>(flowInputs);
    resolved.forEach((name, reads) -> {
      if (merged.containsKey(name)) {
        merged.put(name, List.copyOf(new LinkedHashSet<>(reads)));
      } else if (mergedFlows.containsKey(name)) {
        mergedFlows.put(name, List.copyOf(new LinkedHashSet<>(reads)));
      } else {
        throw new IllegalArgumentException("not a dataset of pipeline " + pipeline + ": " + name);
      }
    });
    // Ties are broken by declaration order, not by this plan's order, so the result does not depend on
    // which inputs were known before.
    return ordered(pipeline, configuration, declared, applyChanges, appendFlows, snapshotChanges, merged,
        mergedFlows, new ArrayList<>());
  }

  private static LogicalPlan ordered(String pipeline, Map<String, String> configuration, List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges, List<AppendFlowSpec> appendFlows, List<SnapshotChangesSpec> snapshotChanges,
      Map<String, List<Input>> ownInputs, Map<String, List<Input>> flowInputs, List<String> problems) {
    Map<String, DatasetSpec> byName = new LinkedHashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    Set<String> snapshotTargets = snapshotTargets(snapshotChanges);
    // targets whose commits update and delete rows by key: no stream of new rows comes out of them
    Set<String> cdcTargets = new LinkedHashSet<>(snapshotTargets);
    applyChanges.forEach(a -> cdcTargets.add(a.target()));
    // tables whose rows come only from once flows: nothing streams into them, so nothing streams out
    Set<String> backfilledOnly = new LinkedHashSet<>();
    byName.values().stream().filter(d -> d.query().isEmpty()).map(DatasetSpec::name)
        .filter(name -> appendFlows.stream().anyMatch(f -> f.writes(name))
            && appendFlows.stream().filter(f -> f.writes(name)).allMatch(AppendFlowSpec::once))
        .forEach(backfilledOnly::add);
    ownInputs.forEach((dataset, reads) -> {
      checkReads(byName, cdcTargets, snapshotTargets, dataset, reads, problems);
      checkStreamReadsOfBackfills(backfilledOnly, "Dataset", dataset, reads, problems);
    });
    for (AppendFlowSpec flow : appendFlows) {
      List<Input> reads = flowInputs.getOrDefault(flow.name(), List.of());
      checkFlowReads(byName, cdcTargets, flow, reads, problems);
      checkStreamReadsOfBackfills(backfilledOnly, "Flow", flow.name(), reads, problems);
    }
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(pipeline, problems);
    }
    List<DatasetSpec> sorted = topologicalOrder(byName, edges(appendFlows, ownInputs, flowInputs), problems);
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(pipeline, problems);
    }
    return new LogicalPlan(pipeline, configuration, declared, sorted, applyChanges, appendFlows, snapshotChanges,
        ownInputs, flowInputs);
  }

  public String pipeline() {
    return pipeline;
  }

  public Map<String, String> configuration() {
    return configuration;
  }

  /** Every dataset, each after the datasets it reads. */
  public List<DatasetSpec> datasets() {
    return datasets;
  }

  public Optional<DatasetSpec> dataset(String name) {
    return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /**
   * The datasets {@code dataset} reads (its query's reads, or its apply-changes flow's source, and
   * the reads of the append flows into it); for the name of an append flow, that flow's reads.
   */
  public List<Input> inputsOf(String dataset) {
    List<Input> reads = inputs.get(dataset);
    return reads != null ? reads : flowInputs.getOrDefault(dataset, List.of());
  }

  /**
   * What the query named {@code name} reads: a dataset's own query (not the append flows into it), or
   * an append flow's query.
   */
  public List<Input> queryInputsOf(String name) {
    List<Input> reads = ownInputs.get(name);
    return reads != null ? reads : flowInputs.getOrDefault(name, List.of());
  }

  /** Every append flow, in declaration order. */
  public List<AppendFlowSpec> appendFlows() {
    return appendFlows;
  }

  /** The append flows into {@code dataset}, in declaration order. */
  public List<AppendFlowSpec> appendFlowsInto(String dataset) {
    return appendFlows.stream().filter(f -> f.writes(dataset)).toList();
  }

  /** The append flow named {@code name}. */
  public Optional<AppendFlowSpec> appendFlow(String name) {
    return appendFlows.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** Whether an {@code applyChanges} flow writes {@code dataset}. */
  public boolean isApplyChangesTarget(String dataset) {
    return applyChanges.stream().anyMatch(a -> a.target().equals(dataset));
  }

  /** The datasets that read {@code dataset}, in plan order. */
  public List<String> readersOf(String dataset) {
    return datasets.stream().map(DatasetSpec::name)
        .filter(reader -> inputsOf(reader).stream().anyMatch(input -> input.dataset().equals(dataset)))
        .toList();
  }

  public List<ApplyChangesSpec> applyChanges() {
    return applyChanges;
  }

  /** The {@code applyChangesFromSnapshot} flows, in declaration order. */
  public List<SnapshotChangesSpec> snapshotChanges() {
    return snapshotChanges;
  }

  /** The {@code applyChangesFromSnapshot} flow writing {@code target}, if one does. */
  public Optional<SnapshotChangesSpec> snapshotChangesInto(String target) {
    return snapshotChanges.stream().filter(s -> s.target().equals(target)).findFirst();
  }

  /** The flows that write persisted datasets, in dependency order. */
  public List<Flow> flows() {
    List<Flow> flows = new ArrayList<>();
    for (DatasetSpec dataset : datasets) {
      if (!dataset.kind().isPersisted()) {
        continue;
      }
      if (dataset.query().isPresent()) {
        flows.add(new Flow.QueryFlow(dataset));
      }
      applyChanges.stream().filter(a -> a.target().equals(dataset.name()))
          .forEach(a -> flows.add(new Flow.ApplyChangesFlow(a)));
      appendFlowsInto(dataset.name()).forEach(a -> flows.add(new Flow.AppendFlow(a)));
      snapshotChangesInto(dataset.name()).ifPresent(s -> flows.add(new Flow.SnapshotChangesFlow(s)));
    }
    return flows;
  }

  /** A deterministic description of the plan, compared with golden text in tests. */
  public String describe() {
    List<String> lines = new ArrayList<>();
    lines.add("pipeline " + pipeline);
    new TreeMap<>(configuration).forEach((k, v) -> lines.add("  conf " + k + "=" + v));
    for (DatasetSpec dataset : datasets) {
      dataset.describeLines().forEach(line -> lines.add("  " + line));
      List<Input> reads = ownInputs.getOrDefault(dataset.name(), List.of());
      if (!reads.isEmpty()) {
        lines.add("    reads " + String.join(", ", reads.stream().map(Input::describe).toList()));
      }
      applyChanges.stream().filter(a -> a.target().equals(dataset.name()))
          .forEach(a -> a.describeLines().forEach(line -> lines.add("    " + line)));
      for (AppendFlowSpec flow : appendFlowsInto(dataset.name())) {
        flow.describeLines().forEach(line -> lines.add("    " + line));
        List<Input> flowReads = flowInputs.getOrDefault(flow.name(), List.of());
        if (!flowReads.isEmpty()) {
          lines.add("      reads " + String.join(", ", flowReads.stream().map(Input::describe).toList()));
        }
      }
      snapshotChangesInto(dataset.name())
          .ifPresent(s -> s.describeLines().forEach(line -> lines.add("    " + line)));
    }
    return String.join("\n", lines) + "\n";
  }

  @Override
  public String toString() {
    return describe();
  }

  private static void checkNames(List<DatasetSpec> declared, List<ApplyChangesSpec> applyChanges,
      List<String> problems) {
    Map<String, List<DatasetSpec>> byFoldedName = new LinkedHashMap<>();
    for (DatasetSpec dataset : declared) {
      if (!IDENTIFIER.matcher(dataset.name()).matches()) {
        problems.add(DefinitionErrors.invalidName("Dataset", dataset.name()));
      }
      byFoldedName.computeIfAbsent(dataset.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(dataset);
    }
    byFoldedName.values().stream().filter(same -> same.size() > 1)
        .forEach(same -> problems.add(DefinitionErrors.duplicateDataset(same)));
  }

  private static void checkDatasets(List<DatasetSpec> declared, List<String> problems) {
    for (DatasetSpec dataset : declared) {
      if (dataset.cdcTarget() && !dataset.queries().isEmpty()) {
        problems.add(DefinitionErrors.cdcTargetWithQuery(dataset));
      } else if (dataset.queries().size() > 1) {
        problems.add(DefinitionErrors.multipleQueries(dataset));
      } else if (dataset.queries().isEmpty() && !dataset.cdcTarget()) {
        problems.add(DefinitionErrors.missingQuery(dataset));
      }
      Map<String, Integer> expectationCounts = new LinkedHashMap<>();
      dataset.expectations().forEach(e -> expectationCounts.merge(e.name(), 1, Integer::sum));
      expectationCounts.forEach((name, count) -> {
        if (count > 1) {
          problems.add(DefinitionErrors.duplicateExpectation(dataset.name(), name, count));
        }
      });
      if (dataset.quarantine()) {
        if (dataset.expectations().stream().noneMatch(e -> e.action() == ExpectationAction.DROP)) {
          problems.add(DefinitionErrors.quarantineWithoutDrop(dataset.name()));
        }
        if (declared.stream().anyMatch(d -> d.name().equalsIgnoreCase(dataset.quarantineTable()))) {
          problems.add(DefinitionErrors.quarantineNameTaken(dataset.name(), dataset.quarantineTable()));
        }
      }
      dataset.expectations().stream().filter(e -> e.constraint().isBlank()).forEach(e ->
          problems.add(DefinitionErrors.blankConstraint(dataset.name(), e.name())));
    }
  }

  private static Set<String> snapshotTargets(List<SnapshotChangesSpec> snapshotChanges) {
    Set<String> targets = new LinkedHashSet<>();
    snapshotChanges.forEach(s -> targets.add(s.target()));
    return targets;
  }

  private static void checkApplyChanges(List<DatasetSpec> declared, List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows, Set<String> snapshotTargets, List<String> problems) {
    Map<String, DatasetSpec> byName = new HashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    Map<String, Integer> flowsPerTarget = new LinkedHashMap<>();
    for (ApplyChangesSpec flow : applyChanges) {
      String target = flow.target();
      flowsPerTarget.merge(target, 1, Integer::sum);
      DatasetSpec dataset = byName.get(target);
      if (dataset == null) {
        problems.add(DefinitionErrors.cdcTargetUndefined(target));
      } else if (!dataset.cdcTarget()) {
        problems.add(DefinitionErrors.cdcTargetNotCreated(target, dataset));
      }
      if (flow.source().isEmpty()) {
        problems.add(DefinitionErrors.cdcMissing(target, "source (the dataset holding the change feed)",
            "from(\"<dataset>\")"));
      }
      if (flow.keys().isEmpty()) {
        problems.add(DefinitionErrors.cdcMissing(target, "keys (the columns that identify a row)",
            "keys(\"<column>\", …)"));
      }
      if (flow.sequenceBy().isEmpty()) {
        problems.add(DefinitionErrors.cdcMissing(target, "sequence column (the column that orders each key's changes)",
            "sequenceBy(\"<column>\")"));
      }
      if (flow.scdType() != 1 && flow.scdType() != 2) {
        problems.add(DefinitionErrors.cdcScdType(target, flow.scdType()));
      }
      if (!flow.columnList().isEmpty() && !flow.exceptColumnList().isEmpty()) {
        problems.add(DefinitionErrors.cdcBothColumnLists(target));
      }
      boolean tracksHistory = !flow.trackHistoryColumnList().isEmpty()
          || !flow.trackHistoryExceptColumnList().isEmpty();
      if (!flow.trackHistoryColumnList().isEmpty() && !flow.trackHistoryExceptColumnList().isEmpty()) {
        problems.add(DefinitionErrors.cdcBothHistoryLists(target));
      }
      if (tracksHistory && flow.scdType() == 1) {
        problems.add(DefinitionErrors.cdcHistoryOnType1(target));
      }
      if (flow.applyAsTruncates().isPresent() && flow.scdType() == 2) {
        problems.add(DefinitionErrors.cdcTruncatesOnType2(target));
      }
    }
    flowsPerTarget.forEach((target, count) -> {
      if (count > 1) {
        problems.add(DefinitionErrors.cdcMultipleFlows(target, count));
      }
    });
    Set<String> fed = new LinkedHashSet<>(flowsPerTarget.keySet());
    appendFlows.forEach(a -> a.target().ifPresent(fed::add));
    fed.addAll(snapshotTargets);
    declared.stream().filter(d -> d.cdcTarget() && d.queries().isEmpty() && !fed.contains(d.name()))
        .forEach(d -> problems.add(DefinitionErrors.cdcTargetWithoutFlow(d.name())));
  }

  private static void checkAppendFlows(List<DatasetSpec> declared, List<ApplyChangesSpec> applyChanges,
      Set<String> snapshotTargets, List<AppendFlowSpec> appendFlows, List<String> problems) {
    Map<String, DatasetSpec> byFoldedName = new HashMap<>();
    declared.forEach(d -> byFoldedName.putIfAbsent(d.name().toLowerCase(Locale.ROOT), d));
    Map<String, List<AppendFlowSpec>> flowsByFoldedName = new LinkedHashMap<>();
    for (AppendFlowSpec flow : appendFlows) {
      if (!IDENTIFIER.matcher(flow.name()).matches()) {
        problems.add(DefinitionErrors.invalidName("Flow", flow.name()));
      }
      flowsByFoldedName.computeIfAbsent(flow.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(flow);
    }
    flowsByFoldedName.forEach((folded, same) -> {
      if (same.size() > 1) {
        problems.add(DefinitionErrors.duplicateFlow(same.get(0).name(), same.size()));
      }
      DatasetSpec dataset = byFoldedName.get(folded);
      if (dataset != null) {
        problems.add(DefinitionErrors.flowNamedLikeDataset(same.get(0).name(), dataset));
      }
    });
    for (AppendFlowSpec flow : appendFlows) {
      if (flow.target().isEmpty()) {
        problems.add(DefinitionErrors.appendFlowWithoutTarget(flow.name()));
      } else {
        String target = flow.target().get();
        DatasetSpec dataset = declared.stream().filter(d -> d.name().equals(target)).findFirst().orElse(null);
        if (dataset == null) {
          problems.add(DefinitionErrors.appendFlowTargetUndefined(flow.name(), target,
              declared.stream().filter(d -> d.kind() == DatasetKind.STREAMING_TABLE).map(DatasetSpec::name).toList()));
        } else if (dataset.kind() != DatasetKind.STREAMING_TABLE) {
          problems.add(DefinitionErrors.appendFlowTargetNotStreaming(flow.name(), dataset));
        } else if (applyChanges.stream().anyMatch(a -> a.target().equals(target))
            || snapshotTargets.contains(target)) {
          problems.add(DefinitionErrors.appendFlowIntoApplyChangesTarget(flow.name(), target));
        }
      }
      if (flow.queries().isEmpty()) {
        problems.add(DefinitionErrors.appendFlowWithoutQuery(flow.name()));
      } else if (flow.queries().size() > 1) {
        problems.add(DefinitionErrors.appendFlowWithQueries(flow));
      }
    }
  }

  private static void checkFlowReads(Map<String, DatasetSpec> byName, Set<String> cdcTargets, AppendFlowSpec flow,
      List<Input> reads, List<String> problems) {
    for (Input input : reads) {
      DatasetSpec read = byName.get(input.dataset());
      if (read == null) {
        problems.add(DefinitionErrors.appendFlowUndefinedInput(flow.name(), input.dataset(), byName.keySet()));
      } else if (input.mode() == ReadMode.LOOKUP && read.kind() == DatasetKind.VIEW) {
        problems.add(DefinitionErrors.lookupOfView("Flow", flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && flow.once()) {
        problems.add(DefinitionErrors.onceFlowStreamRead(flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && read.kind() == DatasetKind.MATERIALIZED_TABLE) {
        problems.add(DefinitionErrors.streamReadOfMaterializedTable("Flow", flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && cdcTargets.contains(input.dataset())) {
        problems.add(DefinitionErrors.streamReadOfCdcTarget("Flow", flow.name(), input.dataset()));
      }
    }
  }

  private static void checkStreamReadsOfBackfills(Set<String> backfilledOnly, String what, String reader,
      List<Input> reads, List<String> problems) {
    reads.stream().filter(i -> i.mode() == ReadMode.STREAM && backfilledOnly.contains(i.dataset()))
        .forEach(i -> problems.add(DefinitionErrors.streamReadOfBackfilledTable(what, reader, i.dataset())));
  }

  private static void checkReads(Map<String, DatasetSpec> byName, Set<String> cdcTargets,
      Set<String> snapshotTargets, String reader, List<Input> reads, List<String> problems) {
    String call = snapshotTargets.contains(reader) ? "applyChangesFromSnapshot(…).fromSnapshot()"
        : readCall(byName.get(reader));
    for (Input input : reads) {
      DatasetSpec read = byName.get(input.dataset());
      if (read == null) {
        problems.add(DefinitionErrors.undefinedInput(reader, input.dataset(), byName.keySet(), call));
      } else if (input.mode() == ReadMode.LOOKUP && read.kind() == DatasetKind.VIEW) {
        problems.add(DefinitionErrors.lookupOfView("Dataset", reader, input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && read.kind() == DatasetKind.MATERIALIZED_TABLE) {
        problems.add(DefinitionErrors.streamReadOfMaterializedTable(reader, input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && cdcTargets.contains(input.dataset())) {
        problems.add(DefinitionErrors.streamReadOfCdcTarget(reader, input.dataset()));
      }
    }
  }

  /** The DSL call in which the user named the reads of {@code reader}, for the fix of an undefined input. */
  private static String readCall(DatasetSpec reader) {
    if (reader == null || reader.cdcTarget()) {
      return "applyChanges(…).from()"; // only an apply-changes flow reads into a name that is not a dataset
    }
    Query query = reader.query().orElse(null);
    if (query instanceof Query.TableApiQuery) {
      return "ctx.read(), ctx.readStream() or ctx.lookupJoin()";
    }
    return query instanceof Query.SqlQuery ? "sql()" : "from()";
  }

  /** Kahn's algorithm, choosing the earliest-declared ready dataset first so the order is deterministic. */
  private static List<DatasetSpec> topologicalOrder(Map<String, DatasetSpec> byName,
      Map<String, List<Input>> inputs, List<String> problems) {
    List<String> names = new ArrayList<>(byName.keySet());
    Map<String, Integer> unresolved = new HashMap<>();
    for (String name : names) {
      unresolved.put(name, (int) inputs.getOrDefault(name, List.of()).stream().map(Input::dataset).distinct()
          .filter(byName::containsKey).count());
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
            if (inputs.getOrDefault(other, List.of()).stream().map(Input::dataset).distinct()
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

  private static List<String> findCycle(List<String> names, Set<String> done, Map<String, List<Input>> inputs) {
    String start = names.stream().filter(n -> !done.contains(n)).findFirst().orElseThrow();
    Deque<String> path = new ArrayDeque<>();
    Set<String> onPath = new LinkedHashSet<>();
    String current = start;
    while (!onPath.contains(current)) {
      onPath.add(current);
      path.addLast(current);
      String from = current;
      current = inputs.getOrDefault(from, List.of()).stream().map(Input::dataset)
          .filter(n -> names.contains(n) && !done.contains(n)).findFirst()
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
    // Start at the earliest-declared dataset of the cycle, so the text does not depend on where the walk began.
    int first = cycle.indexOf(cycle.stream().min(Comparator.comparingInt(names::indexOf)).orElseThrow());
    Collections.rotate(cycle, -first);
    cycle.add(cycle.get(0));
    return cycle;
  }

  private static List<Input> concat(List<Input> a, List<Input> b) {
    List<Input> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
