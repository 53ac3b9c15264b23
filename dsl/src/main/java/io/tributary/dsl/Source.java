package io.tributary.dsl;

import java.io.Serializable;

/**
 * Data from outside the pipeline, read by {@code from(Source)}: files through {@link AutoLoader}, Delta
 * tables through {@link DeltaSource}, and in later versions other connectors. A source is an immutable
 * description; the runtime has one translator per kind of source.
 */
public interface Source extends Serializable {

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
