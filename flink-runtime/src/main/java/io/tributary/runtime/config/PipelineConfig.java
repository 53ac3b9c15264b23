package io.tributary.runtime.config;

import io.tributary.dsl.Secrets;
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
 *   cluster: 127.0.0.1:8081            # a session cluster's REST endpoint; absent: an embedded cluster
 * hadoop:                              # Hadoop settings every task uses (fs.s3a.endpoint, dfs.*)
 *   fs.s3a.path.style.access: "true"
 * }</pre>
 *
 * @param libraries the {@code PipelineDefinition} classes whose datasets make the pipeline
 * @param triggerInterval the epoch length: the checkpoint interval of streaming jobs
 * @param cluster {@code HOST:PORT} of the Flink session cluster (REST endpoint) the jobs run on, or
 *     empty for an embedded cluster started per update
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
    Map<String, String> flinkOptions,
    Map<String, String> hadoop,
    String cluster) {

  public static final Duration DEFAULT_TRIGGER_INTERVAL = Duration.ofSeconds(10);

  /** Keys of {@code configuration} (and {@code --conf}) with this prefix are Hadoop settings too. */
  public static final String HADOOP_FS_PREFIX = "fs.";

  /**
   * Whether {@code storage} is a URI ({@code hdfs://nn/x}, {@code s3a://b/x}, {@code file:/x}), which is
   * used as it is, rather than a local path, which is resolved against a folder. A scheme has two
   * characters or more, so a Windows drive ({@code C:/x}) is a path.
   */
  public static boolean isUri(String storage) {
    return storage.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*");
  }

  /**
   * A storage root given on a command line: a URI as it is, a local path made absolute against the
   * working directory.
   */
  public static String resolveStorage(String storage) {
    return isUri(storage)
        ? storage
        : java.nio.file.Path.of(storage).toAbsolutePath().normalize().toString();
  }

  /** Settings with no {@code hadoop:} block. */
  public PipelineConfig(
      String name,
      String storage,
      List<String> libraries,
      Map<String, String> configuration,
      boolean continuous,
      boolean development,
      Duration triggerInterval,
      int parallelism,
      Map<String, String> flinkOptions) {
    this(
        name,
        storage,
        libraries,
        configuration,
        continuous,
        development,
        triggerInterval,
        parallelism,
        flinkOptions,
        Map.of());
  }

  /** Settings for an embedded cluster. */
  public PipelineConfig(
      String name,
      String storage,
      List<String> libraries,
      Map<String, String> configuration,
      boolean continuous,
      boolean development,
      Duration triggerInterval,
      int parallelism,
      Map<String, String> flinkOptions,
      Map<String, String> hadoop) {
    this(
        name,
        storage,
        libraries,
        configuration,
        continuous,
        development,
        triggerInterval,
        parallelism,
        flinkOptions,
        hadoop,
        "");
  }

  public PipelineConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(triggerInterval, "triggerInterval");
    libraries = List.copyOf(libraries);
    configuration = Map.copyOf(configuration);
    flinkOptions = Map.copyOf(flinkOptions);
    hadoop = Map.copyOf(hadoop);
  }

  /**
   * The pipeline's Hadoop settings: the {@code hadoop:} block, then the {@code configuration} keys
   * starting with {@value #HADOOP_FS_PREFIX} (so {@code --conf fs.s3a.endpoint=…} overrides the file).
   */
  public Map<String, String> hadoopSettings() {
    Map<String, String> settings = new java.util.TreeMap<>(hadoop);
    configuration.forEach(
        (key, value) -> {
          if (key.startsWith(HADOOP_FS_PREFIX)) {
            settings.put(key, value);
          }
        });
    return settings;
  }

  /** The settings as text, each secret's value hidden ({@link Secrets}). */
  @Override
  public String toString() {
    return "PipelineConfig[name="
        + name
        + ", storage="
        + storage
        + ", libraries="
        + libraries
        + ", configuration="
        + Secrets.shown(configuration)
        + ", continuous="
        + continuous
        + ", development="
        + development
        + ", triggerInterval="
        + triggerInterval
        + ", parallelism="
        + parallelism
        + ", flinkOptions="
        + Secrets.shown(flinkOptions)
        + ", hadoop="
        + Secrets.shown(hadoop)
        + ", cluster="
        + cluster
        + "]";
  }

  /** Every setting of the pipeline with its key ({@code configuration}, {@code flink:}, {@code hadoop:}). */
  public Map<String, String> allSettings() {
    Map<String, String> all = new java.util.HashMap<>(hadoop);
    all.putAll(flinkOptions);
    all.putAll(configuration);
    return all;
  }

  public PipelineConfig withStorage(String newStorage) {
    return new PipelineConfig(
        name,
        newStorage,
        libraries,
        configuration,
        continuous,
        development,
        triggerInterval,
        parallelism,
        flinkOptions,
        hadoop,
        cluster);
  }

  /** These settings with the jobs on the session cluster at {@code hostPort} (empty: embedded). */
  public PipelineConfig withCluster(String hostPort) {
    return new PipelineConfig(
        name,
        storage,
        libraries,
        configuration,
        continuous,
        development,
        triggerInterval,
        parallelism,
        flinkOptions,
        hadoop,
        hostPort);
  }

  public PipelineConfig withConfiguration(Map<String, String> overrides) {
    Map<String, String> merged = new java.util.TreeMap<>(configuration);
    merged.putAll(overrides);
    return new PipelineConfig(
        name,
        storage,
        libraries,
        merged,
        continuous,
        development,
        triggerInterval,
        parallelism,
        flinkOptions,
        hadoop,
        cluster);
  }
}
