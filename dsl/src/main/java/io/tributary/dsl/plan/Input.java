package io.tributary.dsl.plan;

import java.util.Objects;

/** One dataset a flow reads, and how. */
public record Input(String dataset, ReadMode mode) {

  public Input {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(mode, "mode");
  }

  public static Input stream(String dataset) {
    return new Input(dataset, ReadMode.STREAM);
  }

  public static Input snapshot(String dataset) {
    return new Input(dataset, ReadMode.SNAPSHOT);
  }

  public static Input lookup(String dataset) {
    return new Input(dataset, ReadMode.LOOKUP);
  }

  public String describe() {
    return mode.describe(dataset);
  }
}
