package io.tributary.dsl.plan;

/** The three kinds of dataset of Delta Live Tables. */
public enum DatasetKind {
  /** Persisted and recomputed from the snapshots of its inputs on every update. */
  MATERIALIZED_TABLE("table"),
  /** Persisted and appended to incrementally: each update processes only new input. */
  STREAMING_TABLE("streaming table"),
  /** Not persisted: its query is inlined into the flows that read it. */
  VIEW("view");

  private final String displayName;

  DatasetKind(String displayName) {
    this.displayName = displayName;
  }

  /** The kind as users write it in messages: {@code table}, {@code streaming table}, {@code view}. */
  public String displayName() {
    return displayName;
  }

  /** Whether datasets of this kind are written to storage as Delta tables. */
  public boolean isPersisted() {
    return this != VIEW;
  }
}
