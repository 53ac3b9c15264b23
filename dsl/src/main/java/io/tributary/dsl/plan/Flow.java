package io.tributary.dsl.plan;

/**
 * A flow writes rows into one persisted dataset. Views have no flow: they are inlined where read.
 */
public sealed interface Flow {

  /** The flow's name, unique in the pipeline; part of its state's identity. */
  String name();

  /** The dataset the flow writes. */
  String target();

  /** The flow that defines a table or streaming table by its query. */
  record QueryFlow(DatasetSpec dataset) implements Flow {
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
    public String name() {
      return spec.flowName();
    }

    @Override
    public String target() {
      return spec.target();
    }
  }
}
