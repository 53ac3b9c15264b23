package io.tributary.runtime.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How an update's jobs run.
 *
 * @param checkpointInterval the epoch length of streaming jobs (the pipeline's trigger interval)
 * @param development development mode fails fast; production mode lets Flink restart a failed task
 * @param flinkOptions further Flink settings from {@code pipeline.yml}, applied to every job
 */
public record RunSettings(int parallelism, Duration checkpointInterval, boolean development,
    Map<String, String> flinkOptions) {

  public RunSettings {
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    flinkOptions = Map.copyOf(flinkOptions);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
  }
}
