package io.tributary.dsl.plan;

/** How a flow reads one of its inputs. */
public enum ReadMode {
  /** The input's full contents as of the update: DLT's {@code dlt.read}. */
  SNAPSHOT,
  /** Only what is new in the input since the flow last read it: DLT's {@code dlt.read_stream}. */
  STREAM,
  /**
   * The rows of a persisted input matching each row of a stream, as of the input's latest version when
   * the row is processed: the static side of DLT's stream-static join, a Flink lookup join
   * ({@code FOR SYSTEM_TIME AS OF}, {@code ctx.lookupJoin}). It orders the flows (the input is
   * written first) but carries no stream and keeps no state.
   */
  LOOKUP;

  String describe(String dataset) {
    return switch (this) {
      case STREAM -> "STREAM(" + dataset + ")";
      case LOOKUP -> "LOOKUP(" + dataset + ")";
      case SNAPSHOT -> dataset;
    };
  }
}
