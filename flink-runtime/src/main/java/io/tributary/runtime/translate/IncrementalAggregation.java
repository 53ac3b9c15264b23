package io.tributary.runtime.translate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.OptimizerConfigOptions;

/**
 * How the job of an incremental materialized table aggregates (issue 16). Flink's mini-batch
 * aggregation emits each key's update-before/update-after pair once per batch of input rows instead
 * of once per row, with the local-global (two-phase) aggregation the optimizer then picks; it is on
 * ({@link #MINI_BATCH}: measured on a quiet machine, the benchmark's gold job took 0.97× (p=1) and
 * 0.81× (p=2) of its time and 0.92× of the CPU, writing 35,500 records instead of 1,944,748;
 * docs/benchmarks.md "Incremental gold"). Its batch latency and size are set on that job only; a
 * pipeline's {@code flink} options with the same keys win ({@link #apply}), for every job.
 *
 * <p>The plan these settings make keeps its state in other operators than a plain GroupAggregate, so a
 * savepoint of one plan does not restore into the other. {@link #stateShape} says which plan a job's
 * state belongs to; it is part of the job's {@code StateFingerprint}, and a table whose state was
 * kept by another plan (by an earlier version, or before its options changed) is recomputed in full.
 */
public final class IncrementalAggregation {

  /** Whether an incremental table's job aggregates in mini-batches unless the pipeline's options say. */
  static final boolean MINI_BATCH = true;

  /** Rows each batch holds at most before it is emitted. */
  static final long BATCH_SIZE = 50_000L;

  /** How long a row waits at most for its batch to be emitted. */
  static final String ALLOW_LATENCY = "1 s";

  private IncrementalAggregation() {}

  /** The options of an incremental materialized table's job, before the pipeline's own. */
  static Map<String, String> defaults() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(
        ExecutionConfigOptions.TABLE_EXEC_MINIBATCH_ENABLED.key(), Boolean.toString(MINI_BATCH));
    options.put(ExecutionConfigOptions.TABLE_EXEC_MINIBATCH_ALLOW_LATENCY.key(), ALLOW_LATENCY);
    options.put(ExecutionConfigOptions.TABLE_EXEC_MINIBATCH_SIZE.key(), Long.toString(BATCH_SIZE));
    return options;
  }

  /** Sets on {@code conf} each of {@link #defaults} the pipeline's options ({@code conf}) do not set. */
  static Configuration apply(Configuration conf) {
    Configuration withBatches = new Configuration(conf);
    defaults()
        .forEach(
            (key, value) -> {
              if (!conf.containsKey(key)) {
                withBatches.setString(key, value);
              }
            });
    return withBatches;
  }

  /**
   * What of the aggregation plan an incremental table's state depends on under the pipeline's
   * {@code flinkOptions}: empty for the plain GroupAggregate an incremental table had before
   * mini-batches (no batches, no split distinct aggregation), the default, whose state every version restores.
   */
  public static Optional<String> stateShape(Map<String, String> flinkOptions) {
    Configuration conf = apply(Configuration.fromMap(flinkOptions));
    boolean batches = conf.get(ExecutionConfigOptions.TABLE_EXEC_MINIBATCH_ENABLED);
    boolean split = conf.get(OptimizerConfigOptions.TABLE_OPTIMIZER_DISTINCT_AGG_SPLIT_ENABLED);
    if (!batches && !split) {
      return Optional.empty();
    }
    StringBuilder shape = new StringBuilder(batches ? "mini-batch" : "no mini-batch");
    shape
        .append(", ")
        .append(conf.get(OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY))
        .append(" phase");
    if (split) {
      shape
          .append(", distinct split into ")
          .append(conf.get(OptimizerConfigOptions.TABLE_OPTIMIZER_DISTINCT_AGG_SPLIT_BUCKET_NUM))
          .append(" buckets");
    }
    return Optional.of(shape.toString());
  }
}
