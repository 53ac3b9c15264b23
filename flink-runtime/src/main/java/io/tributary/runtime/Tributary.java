package io.tributary.runtime;

import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.engine.RunSettings;
import io.tributary.runtime.engine.UpdateRunner;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;

/**
 * Runs a pipeline from Java: the embedding API that the CLI is a thin layer over.
 *
 * <pre>{@code
 * UpdateResult result = Tributary.pipeline(new MedallionPipeline())
 *     .name("medallion")
 *     .storage("/var/lib/tributary/medallion")
 *     .configuration(Map.of("source.orders", "/data/orders"))
 *     .run();
 * }</pre>
 *
 * <p>Each {@link Builder#run()} is one triggered update: every flow processes what is new since the
 * previous update, commits, and stops; state and positions are kept under the storage root for the
 * next one.
 */
public final class Tributary {

  private Tributary() {}

  /** A pipeline made of these definitions' datasets. */
  public static Builder pipeline(PipelineDefinition... definitions) {
    return new Builder(List.of(definitions));
  }

  /** The pipeline a {@code pipeline.yml} describes, with its library classes loaded. */
  public static Builder fromConfig(PipelineConfig config) {
    Builder builder = new Builder(PipelineLibraries.load(config.name(), config.libraries()))
        .name(config.name())
        .storage(config.storage())
        .configuration(config.configuration())
        .development(config.development())
        .triggerInterval(config.triggerInterval())
        .parallelism(config.parallelism());
    builder.flinkOptions = Map.copyOf(config.flinkOptions());
    return builder;
  }

  /** Settings of one pipeline; each {@code run()} or {@code validate()} reads them afresh. */
  public static final class Builder {
    private final List<PipelineDefinition> definitions;
    private String name = "pipeline";
    private String storage;
    private final Map<String, String> configuration = new TreeMap<>();
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private Duration triggerInterval = PipelineConfig.DEFAULT_TRIGGER_INTERVAL;
    private boolean development = true;
    private boolean fullRefresh;
    private UpdateListener listener = UpdateListener.NONE;
    private EmbeddedCluster cluster;
    private Map<String, String> flinkOptions = Map.of();
    private org.apache.hadoop.conf.Configuration hadoopConf = new org.apache.hadoop.conf.Configuration();

    private Builder(List<PipelineDefinition> definitions) {
      if (definitions.isEmpty()) {
        throw new IllegalArgumentException("a pipeline needs at least one PipelineDefinition");
      }
      this.definitions = List.copyOf(definitions);
    }

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The storage root: a local folder or a Hadoop URI. Required to run. */
    public Builder storage(String storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /** Adds values read by {@code p.conf(key, default)}. */
    public Builder configuration(Map<String, String> values) {
      configuration.putAll(values);
      return this;
    }

    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    /** The epoch length of streaming flows: how often they checkpoint and commit. */
    public Builder triggerInterval(Duration interval) {
      this.triggerInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Development mode (the default) fails fast; production mode restarts failed tasks. */
    public Builder development(boolean development) {
      this.development = development;
      return this;
    }

    /** Clears every table, its state and its positions before the update. */
    public Builder fullRefresh(boolean fullRefresh) {
      this.fullRefresh = fullRefresh;
      return this;
    }

    public Builder listener(UpdateListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Runs on this already started cluster (shared by tests or a service) instead of starting one per update. */
    public Builder cluster(EmbeddedCluster cluster) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      return this;
    }

    public Builder hadoopConfiguration(org.apache.hadoop.conf.Configuration conf) {
      this.hadoopConf = Objects.requireNonNull(conf, "conf");
      return this;
    }

    /**
     * The pipeline's logical plan, checked for structure only.
     *
     * @throws PipelineDefinitionException listing every structural problem
     */
    public LogicalPlan plan() {
      Pipeline pipeline = Pipeline.create(name, configuration);
      definitions.forEach(d -> d.define(pipeline));
      return pipeline.build();
    }

    /**
     * Validates the pipeline fully, as {@code tributary validate} does: structure, then every query,
     * schema and constraint with Flink's planner. Writes nothing.
     *
     * @throws PipelineDefinitionException listing every problem
     */
    public ResolvedPlan validate() {
      return ProductionRuntime.analyzer(storage(), false).analyze(plan());
    }

    /** Runs one update and returns how it ended; definition errors are thrown before anything runs. */
    public UpdateResult run() {
      RunningUpdate update = start();
      try {
        return update.await();
      } catch (InterruptedException e) {
        update.stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for an update of pipeline '" + name
            + "'; it was asked to stop.", e);
      }
    }

    /**
     * Starts one update in the background and returns its handle at once; definition errors are
     * thrown here, before anything runs.
     */
    public RunningUpdate start() {
      PipelineStorage pipelineStorage = storage();
      ResolvedPlan plan = ProductionRuntime.analyzer(pipelineStorage, true).analyze(plan());
      RunSettings settings = new RunSettings(parallelism, triggerInterval, development, flinkOptions);
      RunningUpdate update = new RunningUpdate(pipelineStorage);
      UpdateListener recording = update.recorder(listener);
      EmbeddedCluster shared = cluster;
      boolean refresh = fullRefresh;
      Thread thread = new Thread(() -> {
        EmbeddedCluster target = shared != null ? shared : EmbeddedCluster.start(parallelism, new Configuration());
        try {
          UpdateRunner runner = ProductionRuntime.runner(target, pipelineStorage, settings);
          update.complete(runner.run(plan, refresh, recording, update.stopRequest()));
        } catch (RuntimeException | Error e) {
          update.fail(e);
        } finally {
          if (shared == null) {
            target.close();
          }
        }
      }, "tributary-update-" + name);
      thread.start();
      return update;
    }

    private PipelineStorage storage() {
      String root = Optional.ofNullable(storage).orElseThrow(() -> new IllegalStateException(
          "Pipeline '" + name + "' has no storage root. Call storage(\"/path/or/uri\") before running it."));
      return PipelineStorage.at(root, hadoopConf);
    }
  }
}
