package io.tributary.dsl;

import java.io.Serializable;
import java.util.List;
import java.util.function.Function;

/**
 * Data from outside the pipeline, read by {@code from(Source)}: files through {@link AutoLoader}, Delta
 * tables through {@link DeltaSource}. A source is an immutable description; the runtime has one
 * translator per kind of source, chosen by {@link #match}: a new kind of source is a new permitted
 * record and a new parameter of {@code match}, so the compiler names every place that must handle it.
 */
public sealed interface Source extends Serializable permits AutoLoader, DeltaSource {

  /**
   * The result of the function for this kind of source: the exhaustive dispatch on sources (Java 17
   * has no pattern switch), used instead of {@code instanceof}.
   */
  <R> R match(
      Function<? super AutoLoader, ? extends R> autoLoader,
      Function<? super DeltaSource, ? extends R> delta);

  /**
   * What is wrong with this source's settings, each problem naming the source and its fix; empty when
   * nothing is. {@code Pipeline.build()} reports them with the pipeline's other problems.
   */
  List<String> problems();

  /** One deterministic line naming the source, used by {@code describe()}. */
  String describe();

  /**
   * What a stream's saved position in this source depends on, compared across updates: by default all
   * of {@link #describe()}. A source leaves out options that only steer reading (a rate limit, whether
   * to skip some commits), so changing them keeps the position instead of asking for a full refresh.
   */
  default String stateIdentity() {
    return describe();
  }
}
