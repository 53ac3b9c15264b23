package io.tributary.dsl.plan;

/** How a flow reads one of its inputs. */
public enum ReadMode {
  /** The input's full contents as of the update: DLT's {@code dlt.read}. */
  SNAPSHOT,
  /** Only what is new in the input since the flow last read it: DLT's {@code dlt.read_stream}. */
  STREAM;

  String describe(String dataset) {
    return this == STREAM ? "STREAM(" + dataset + ")" : dataset;
  }
}
