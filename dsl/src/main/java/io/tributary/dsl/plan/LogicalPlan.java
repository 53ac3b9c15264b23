package io.tributary.dsl.plan;

import io.tributary.dsl.PipelineDefinitionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A pipeline's validated, immutable logical graph: datasets in dependency order (ties kept in
 * declaration order), the flows that write them, and the inputs each one reads.
 *
 * <p>Made by {@code Pipeline.build()} from the explicit reads ({@code from("dataset")},
 * {@code applyChanges(…).from(…)}); the reads inside {@code query} lambdas and SQL are known only to
 * Flink's planner, so the runtime's analyzer adds them with {@link #withResolvedInputs}, which
 * validates and orders the graph again. The plan knows nothing of Flink's runtime.
 *
 * <p>This class is the model; {@code PlanValidator} checks it, {@code PlanOrder} orders it and
 * {@code PlanDescriber} writes {@link #describe()}.
 */
public final class LogicalPlan {

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

  private LogicalPlan(
      String pipeline,
      Map<String, String> configuration,
      List<DatasetSpec> declared,
      List<DatasetSpec> datasets,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges,
      Map<String, List<Input>> ownInputs,
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
  private static Map<String, List<Input>> edges(
      List<AppendFlowSpec> appendFlows,
      Map<String, List<Input>> ownInputs,
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
  public static LogicalPlan of(
      String pipeline,
      Map<String, String> configuration,
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges) {
    return of(pipeline, configuration, declared, applyChanges, List.of(), List.of());
  }

  /**
   * Validates the declared datasets and flows (apply-changes, applyChangesFromSnapshot and append
   * flows), and orders them.
   *
   * @throws PipelineDefinitionException naming every problem found
   */
  public static LogicalPlan of(
      String pipeline,
      Map<String, String> configuration,
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges) {
    Objects.requireNonNull(pipeline, "pipeline");
    List<String> problems = new ArrayList<>();
    PlanValidator.checkDeclarations(declared, applyChanges, appendFlows, snapshotChanges, problems);
    Map<String, List<Input>> explicit = new LinkedHashMap<>();
    for (DatasetSpec dataset : declared) {
      explicit.put(
          dataset.name(),
          dataset.query().flatMap(Query::explicitInput).map(List::of).orElse(List.of()));
    }
    for (ApplyChangesSpec flow : applyChanges) {
      flow.source()
          .ifPresent(
              source ->
                  explicit.merge(
                      flow.target(), List.of(Input.stream(source)), (a, b) -> concat(a, b)));
    }
    for (SnapshotChangesSpec flow : snapshotChanges) {
      flow.sourceDataset()
          .ifPresent(
              source ->
                  explicit.merge(
                      flow.target(), List.of(Input.snapshot(source)), (a, b) -> concat(a, b)));
    }
    Map<String, List<Input>> explicitFlows = new LinkedHashMap<>();
    for (AppendFlowSpec flow : appendFlows) {
      explicitFlows.putIfAbsent(
          flow.name(), flow.query().flatMap(Query::explicitInput).map(List::of).orElse(List.of()));
    }
    return ordered(
        pipeline,
        configuration,
        declared,
        applyChanges,
        appendFlows,
        snapshotChanges,
        explicit,
        explicitFlows,
        problems);
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
    resolved.forEach(
        (name, reads) -> {
          if (merged.containsKey(name)) {
            merged.put(name, List.copyOf(new LinkedHashSet<>(reads)));
          } else if (mergedFlows.containsKey(name)) {
            mergedFlows.put(name, List.copyOf(new LinkedHashSet<>(reads)));
          } else {
            throw new IllegalArgumentException(
                "not a dataset of pipeline " + pipeline + ": " + name);
          }
        });
    // Ties are broken by declaration order, not by this plan's order, so the result does not depend
    // on which inputs were known before.
    return ordered(
        pipeline,
        configuration,
        declared,
        applyChanges,
        appendFlows,
        snapshotChanges,
        merged,
        mergedFlows,
        new ArrayList<>());
  }

  private static LogicalPlan ordered(
      String pipeline,
      Map<String, String> configuration,
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges,
      Map<String, List<Input>> ownInputs,
      Map<String, List<Input>> flowInputs,
      List<String> problems) {
    PlanValidator.checkReads(
        declared, applyChanges, appendFlows, snapshotChanges, ownInputs, flowInputs, problems);
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(pipeline, problems);
    }
    Map<String, DatasetSpec> byName = new LinkedHashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    List<DatasetSpec> sorted =
        PlanOrder.topologicalOrder(byName, edges(appendFlows, ownInputs, flowInputs), problems);
    if (!problems.isEmpty()) {
      throw PipelineDefinitionException.of(pipeline, problems);
    }
    return new LogicalPlan(
        pipeline,
        configuration,
        declared,
        sorted,
        applyChanges,
        appendFlows,
        snapshotChanges,
        ownInputs,
        flowInputs);
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
    return datasets.stream()
        .map(DatasetSpec::name)
        .filter(
            reader -> inputsOf(reader).stream().anyMatch(input -> input.dataset().equals(dataset)))
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
      applyChanges.stream()
          .filter(a -> a.target().equals(dataset.name()))
          .forEach(a -> flows.add(new Flow.ApplyChangesFlow(a)));
      appendFlowsInto(dataset.name()).forEach(a -> flows.add(new Flow.AppendFlow(a)));
      snapshotChangesInto(dataset.name())
          .ifPresent(s -> flows.add(new Flow.SnapshotChangesFlow(s)));
    }
    return flows;
  }

  /** A deterministic description of the plan, compared with golden text in tests. */
  public String describe() {
    return PlanDescriber.describe(this);
  }

  /** Each dataset's own reads, in declaration order. */
  Map<String, List<Input>> ownInputs() {
    return ownInputs;
  }

  /** Each append flow's reads, by flow name, in declaration order. */
  Map<String, List<Input>> flowInputs() {
    return flowInputs;
  }

  @Override
  public String toString() {
    return describe();
  }

  private static List<Input> concat(List<Input> a, List<Input> b) {
    List<Input> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
