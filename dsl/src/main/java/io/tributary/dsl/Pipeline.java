package io.tributary.dsl;

import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.ApplyChangesSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.dsl.plan.SnapshotChangesSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a {@link PipelineDefinition} declares its datasets. Each verb records an immutable spec and
 * returns a handle to refine it; {@link #build()} validates everything at once and returns the
 * immutable {@link LogicalPlan}.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.create("orders", Map.of("source.orders", "/data/orders"));
 * p.streamingTable("bronze_orders").from(AutoLoader.json(p.conf("source.orders", "/tmp/orders")));
 * p.streamingTable("silver_orders").from("bronze_orders").expectOrDrop("valid_id", "order_id IS NOT NULL");
 * LogicalPlan plan = p.build();
 * }</pre>
 *
 * <p>Not thread-safe: a definition runs on one thread.
 */
public final class Pipeline {

  private final String name;
  private final Map<String, String> configuration;
  private final List<DatasetSpec> datasets = new ArrayList<>();
  private final List<ApplyChangesSpec> applyChanges = new ArrayList<>();
  private final List<AppendFlowSpec> appendFlows = new ArrayList<>();
  private final List<SnapshotChangesSpec> snapshotChanges = new ArrayList<>();

  private Pipeline(String name, Map<String, String> configuration) {
    this.name = Objects.requireNonNull(name, "name");
    this.configuration = Map.copyOf(configuration);
  }

  /** An empty pipeline named {@code name}, whose {@link #conf} values come from {@code configuration}. */
  public static Pipeline create(String name, Map<String, String> configuration) {
    return new Pipeline(name, configuration);
  }

  /** Declares {@code definition}'s datasets on a new pipeline and builds its plan. */
  public static LogicalPlan plan(
      String name, Map<String, String> configuration, PipelineDefinition definition) {
    Pipeline pipeline = create(name, configuration);
    definition.define(pipeline);
    return pipeline.build();
  }

  public String name() {
    return name;
  }

  /** The configuration value for {@code key}, or {@code defaultValue} when the pipeline does not set it. */
  public String conf(String key, String defaultValue) {
    Objects.requireNonNull(key, "key");
    return configuration.getOrDefault(key, defaultValue);
  }

  /** A materialized table: persisted, and recomputed from its inputs' snapshots on every update. */
  public TableBuilder table(String name) {
    return new TableBuilder(this, add(DatasetSpec.of(name, DatasetKind.MATERIALIZED_TABLE, false)));
  }

  /** A view: not persisted, inlined into the flows that read it. A leading {@code _} marks it temporary. */
  public ViewBuilder view(String name) {
    return new ViewBuilder(this, add(DatasetSpec.of(name, DatasetKind.VIEW, false)));
  }

  /** A streaming table: persisted, and each update appends what is new in its input. */
  public StreamingTableBuilder streamingTable(String name) {
    return new StreamingTableBuilder(
        this, add(DatasetSpec.of(name, DatasetKind.STREAMING_TABLE, false)));
  }

  /**
   * A streaming table with no query of its own, written by flows such as {@link #applyChanges}
   * (DLT's {@code create_streaming_table}).
   */
  public StreamingTableBuilder createStreamingTable(String name) {
    return new StreamingTableBuilder(
        this, add(DatasetSpec.of(name, DatasetKind.STREAMING_TABLE, true)));
  }

  /**
   * Applies a change feed to {@code target} by key (DLT's {@code apply_changes}); the steps ask for
   * the source, the keys and the sequence column in that order.
   *
   * <pre>{@code
   * p.createStreamingTable("customers_scd2");
   * p.applyChanges("customers_scd2").from("cdc_customers_raw").keys("customer_id")
   *     .sequenceBy("updated_at").storedAsScdType(2).trackHistoryColumnList("name", "email", "address");
   * }</pre>
   */
  public ApplyChangesBuilder.From applyChanges(String target) {
    Objects.requireNonNull(target, "target");
    applyChanges.add(ApplyChangesSpec.into(target));
    return new ApplyChangesBuilder(this, applyChanges.size() - 1).fromStep();
  }

  /**
   * A named flow appending to a streaming table that several flows may feed (DLT's
   * {@code append_flow}). Each flow keeps its own positions in its inputs, so adding a flow later
   * leaves the other flows' state alone; {@code once()} makes it a backfill that runs one time.
   *
   * <pre>{@code
   * p.createStreamingTable("all_events");
   * p.appendFlow("from_us").target("all_events").from(AutoLoader.json("/data/us"));
   * p.appendFlow("from_eu").target("all_events").sql("SELECT * FROM STREAM(eu_events)");
   * p.appendFlow("backfill_2023").target("all_events").from("events_2023").once();
   * }</pre>
   */
  public AppendFlowBuilder appendFlow(String name) {
    Objects.requireNonNull(name, "name");
    appendFlows.add(AppendFlowSpec.named(name));
    return new AppendFlowBuilder(this, appendFlows.size() - 1);
  }

  /**
   * Applies full snapshots of a source to {@code target} by key (DLT's {@code
   * create_auto_cdc_from_snapshot_flow}): each snapshot is compared with the previous one, and the keys
   * it adds, changes and drops are inserted, updated and deleted; the steps ask for the source, then
   * the keys.
   *
   * <pre>{@code
   * p.createStreamingTable("products_history");
   * p.applyChangesFromSnapshot("products_history").fromSnapshot("products_export").keys("product_id")
   *     .storedAsScdType(2);
   * }</pre>
   */
  public ApplyChangesFromSnapshotBuilder.From applyChangesFromSnapshot(String target) {
    Objects.requireNonNull(target, "target");
    snapshotChanges.add(SnapshotChangesSpec.into(target));
    return new ApplyChangesFromSnapshotBuilder(this, snapshotChanges.size() - 1).fromStep();
  }

  /**
   * Validates the whole definition and returns its logical plan.
   *
   * @throws PipelineDefinitionException listing every problem, each with its fix
   */
  public LogicalPlan build() {
    return LogicalPlan.of(
        name, configuration, datasets, applyChanges, appendFlows, snapshotChanges);
  }

  private int add(DatasetSpec spec) {
    Objects.requireNonNull(spec.name(), "name");
    datasets.add(spec);
    return datasets.size() - 1;
  }

  DatasetSpec dataset(int index) {
    return datasets.get(index);
  }

  void updateDataset(int index, UnaryOperator<DatasetSpec> change) {
    datasets.set(index, change.apply(datasets.get(index)));
  }

  void updateAppendFlow(int index, UnaryOperator<AppendFlowSpec> change) {
    appendFlows.set(index, change.apply(appendFlows.get(index)));
  }

  void updateApplyChanges(int index, UnaryOperator<ApplyChangesSpec> change) {
    applyChanges.set(index, change.apply(applyChanges.get(index)));
  }

  void updateSnapshotChanges(int index, UnaryOperator<SnapshotChangesSpec> change) {
    snapshotChanges.set(index, change.apply(snapshotChanges.get(index)));
  }
}
