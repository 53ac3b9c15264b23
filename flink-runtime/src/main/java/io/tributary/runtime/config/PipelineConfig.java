package io.tributary.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pipeline's settings, as read from {@code pipeline.yml}, in the spirit of a Databricks bundle:
 *
 * <pre>{@code
 * name: medallion
 * storage: ../out/medallion            # a folder (relative to this file) or a Hadoop URI
 * libraries:
 *   - io.tributary.examples.MedallionPipeline
 * configuration:
 *   source.orders: ${pipelineDir}/data/medallion/orders
 * continuous: false                    # triggered mode
 * development: true
 * trigger:
 *   interval: 10 s
 * flink:
 *   parallelism: 2
 * }</pre>
 *
 * @param libraries the {@code PipelineDefinition} classes whose datasets make the pipeline
 * @param triggerInterval the epoch length: the checkpoint interval of streaming jobs
 */
public record PipelineConfig(
    String name,
    String storage,
    List<String> libraries,
    Map<String, String> configuration,
    boolean continuous,
    boolean development,
    Duration triggerInterval,
    int parallelism,
    Map<String, String> flinkOptions) {

  public static final Duration DEFAULT_TRIGGER_INTERVAL = Duration.ofSeconds(10);

  public PipelineConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(triggerInterval, "triggerInterval");
    libraries = List.copyOf(libraries);
    configuration = Map.copyOf(configuration);
    flinkOptions = Map.copyOf(flinkOptions);
  }

  public PipelineConfig withStorage(String newStorage) {
    return new PipelineConfig(name, newStorage, libraries, configuration, continuous, development, triggerInterval,
        parallelism, flinkOptions);
  }

  public PipelineConfig withConfiguration(Map<String, String> overrides) {
    Map<String, String> merged = new java.util.TreeMap<>(configuration);
    merged.putAll(overrides);
    return new PipelineConfig(name, storage, libraries, merged, continuous, development, triggerInterval,
        parallelism, flinkOptions);
  }
}
