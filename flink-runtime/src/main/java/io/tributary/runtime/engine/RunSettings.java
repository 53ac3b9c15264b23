package io.tributary.runtime.engine;

import io.tributary.runtime.maintenance.AfterUpdateMaintenance;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How an update's jobs run.
 *
 * @param checkpointInterval the epoch length of streaming jobs (the pipeline's trigger interval)
 * @param development development mode fails fast; production mode lets Flink restart a failed task
 * @param continuous continuous mode keeps streaming flows running until stopped, recomputing
 *     materialized tables when their inputs change, at most once per {@code checkpointInterval}
 * @param flinkOptions further Flink settings from {@code pipeline.yml}, applied to every job
 * @param maxFlowRetries in production mode, how often a failed flow's job runs again
 * @param retryBackoff the wait before the first retry; it doubles after each
 * @param maintenance the table maintenance to run after an update that COMPLETED
 */
public record RunSettings(
    int parallelism,
    Duration checkpointInterval,
    boolean development,
    boolean continuous,
    Map<String, String> flinkOptions,
    int maxFlowRetries,
    Duration retryBackoff,
    AfterUpdateMaintenance maintenance) {

  /** Production mode's retries of a failed flow, as DLT's {@code pipelines.maxFlowRetryAttempts}. */
  public static final int DEFAULT_FLOW_RETRIES = 2;

  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

  public RunSettings(
      int parallelism,
      Duration checkpointInterval,
      boolean development,
      Map<String, String> flinkOptions) {
    this(
        parallelism,
        checkpointInterval,
        development,
        false,
        flinkOptions,
        DEFAULT_FLOW_RETRIES,
        DEFAULT_RETRY_BACKOFF);
  }

  /** Settings with no maintenance after updates. */
  public RunSettings(
      int parallelism,
      Duration checkpointInterval,
      boolean development,
      boolean continuous,
      Map<String, String> flinkOptions,
      int maxFlowRetries,
      Duration retryBackoff) {
    this(
        parallelism,
        checkpointInterval,
        development,
        continuous,
        flinkOptions,
        maxFlowRetries,
        retryBackoff,
        AfterUpdateMaintenance.OFF);
  }

  public RunSettings {
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    Objects.requireNonNull(maintenance, "maintenance");
    if (maxFlowRetries < 0) {
      throw new IllegalStateException("maxFlowRetries must not be negative, was " + maxFlowRetries);
    }
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    flinkOptions = Map.copyOf(flinkOptions);
    if (parallelism < 1) {
      throw new IllegalStateException("parallelism must be at least 1, was " + parallelism);
    }
  }
}
