package io.tributary.dsl.plan;

/**
 * A flow writes rows into one persisted dataset. Views have no flow: they are inlined where read.
 */
public sealed interface Flow {

  /** The flow's name, unique in the pipeline; part of its state's identity. */
  String name();

  /** The dataset the flow writes. */
  String target();

  /**
   * The result of {@code cases}' method for this kind of flow: the exhaustive dispatch on flows (Java
   * 17 has no pattern switch), used instead of {@code instanceof}. A new kind of flow is a new record
   * here and a new method of {@link Cases}, so the compiler names every place that must handle it.
   */
  <R> R match(Cases<R> cases);

  /** One method per kind of flow. */
  interface Cases<R> {
    R query(QueryFlow flow);

    R applyChanges(ApplyChangesFlow flow);

    R append(AppendFlow flow);

    R snapshotChanges(SnapshotChangesFlow flow);
  }

  /** The flow that defines a table or streaming table by its query. */
  record QueryFlow(DatasetSpec dataset) implements Flow {
    @Override
    public <R> R match(Cases<R> cases) {
      return cases.query(this);
    }

    @Override
    public String name() {
      return dataset.name();
    }

    @Override
    public String target() {
      return dataset.name();
    }
  }

  /** A change feed applied by key to a target created with {@code createStreamingTable}. */
  record ApplyChangesFlow(ApplyChangesSpec spec) implements Flow {
    @Override
    public <R> R match(Cases<R> cases) {
      return cases.applyChanges(this);
    }

    @Override
    public String name() {
      return spec.flowName();
    }

    @Override
    public String target() {
      return spec.target();
    }
  }

  /** A named flow appending to a streaming table that other flows may append to as well. */
  record AppendFlow(AppendFlowSpec spec) implements Flow {
    @Override
    public <R> R match(Cases<R> cases) {
      return cases.append(this);
    }

    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public String target() {
      return spec.target().orElseThrow();
    }
  }

  /** Full snapshots of a source diffed and applied by key to a target created with {@code createStreamingTable}. */
  record SnapshotChangesFlow(SnapshotChangesSpec spec) implements Flow {
    @Override
    public <R> R match(Cases<R> cases) {
      return cases.snapshotChanges(this);
    }

    @Override
    public String name() {
      return spec.flowName();
    }

    @Override
    public String target() {
      return spec.target();
    }
  }
}
