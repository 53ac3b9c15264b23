package io.tributary.runtime;

import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.config.PipelineConfigException;
import io.tributary.runtime.config.PipelineLibraries;
import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.engine.EmbeddedExecutor;
import io.tributary.runtime.engine.JobExecutor;
import io.tributary.runtime.engine.OwnCluster;
import io.tributary.runtime.engine.PreparedUpdate;
import io.tributary.runtime.engine.ProductionRuntime;
import io.tributary.runtime.engine.RefreshSelection;
import io.tributary.runtime.engine.RunSettings;
import io.tributary.runtime.engine.UpdateRunner;
import io.tributary.runtime.maintenance.MaintenanceOptions;
import io.tributary.runtime.maintenance.MaintenanceReport;
import io.tributary.runtime.maintenance.TableMaintenance;
import io.tributary.runtime.remote.ContextExecutor;
import io.tributary.runtime.remote.JobJars;
import io.tributary.runtime.remote.RemoteExecutor;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.PlannedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;

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

  /** The configuration key of production mode's flow retries, as Delta Live Tables names it. */
  public static final String MAX_FLOW_RETRIES = PipelineSettings.MAX_FLOW_RETRIES;

  private Tributary() {}

  /** A pipeline made of these definitions' datasets. */
  public static Builder pipeline(PipelineDefinition... definitions) {
    return new Builder(List.of(definitions));
  }

  /** The pipeline a {@code pipeline.yml} describes, with its library classes loaded. */
  public static Builder fromConfig(PipelineConfig config) {
    Builder builder =
        new Builder(PipelineLibraries.load(config.name(), config.libraries()))
            .name(config.name())
            .storage(config.storage())
            .configuration(config.configuration())
            .development(config.development())
            .continuous(config.continuous())
            .triggerInterval(config.triggerInterval())
            .parallelism(config.parallelism());
    builder.flinkOptions = Map.copyOf(config.flinkOptions());
    builder.hadoopSettings.putAll(config.hadoopSettings());
    if (!config.cluster().isEmpty()) {
      builder.cluster(config.cluster());
    }
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
    private boolean continuous;
    private RefreshSelection selection = RefreshSelection.all();
    private UpdateListener listener = UpdateListener.NONE;
    private JobExecutor executor;

    /** The caller's cluster {@link #executor} runs on, if it is one: its executor takes the pipeline's timeout. */
    private EmbeddedCluster embeddedCluster;

    private String remoteCluster;
    private UnaryOperator<Function<LogicalPlan, ResolvedPlan>> analyses = UnaryOperator.identity();
    private Map<String, String> flinkOptions = Map.of();
    private Integer maxFlowRetries;
    private Duration retryBackoff = RunSettings.DEFAULT_RETRY_BACKOFF;
    private org.apache.hadoop.conf.Configuration hadoopConf;
    private final Map<String, String> hadoopSettings = new TreeMap<>();

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

    /** @throws IllegalArgumentException if {@code parallelism} is below 1 */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /** The epoch length of streaming flows: how often they checkpoint and commit. */
    public Builder triggerInterval(Duration interval) {
      this.triggerInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Continuous mode keeps streaming flows running, one epoch per trigger interval, and recomputes
     * materialized tables when their inputs change, until {@link RunningUpdate#stop()} or
     * {@code tributary stop}; triggered mode (the default) processes what is there and ends.
     */
    public Builder continuous(boolean continuous) {
      this.continuous = continuous;
      return this;
    }

    /** Development mode (the default) fails fast; production mode restarts failed tasks. */
    public Builder development(boolean development) {
      this.development = development;
      return this;
    }

    /** Clears every table, its state and its positions before the update. */
    public Builder fullRefresh(boolean fullRefresh) {
      this.selection = fullRefresh ? RefreshSelection.fullRefreshAll() : RefreshSelection.all();
      return this;
    }

    /**
     * Which tables the update refreshes: {@link RefreshSelection#refresh} (only these),
     * {@link RefreshSelection#fullRefreshTables} (clear and recompute these); others are EXCLUDED.
     */
    public Builder selection(RefreshSelection selection) {
      this.selection = Objects.requireNonNull(selection, "selection");
      return this;
    }

    public Builder listener(UpdateListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Runs on this already started cluster (shared by tests or a service) instead of starting one per update. */
    public Builder cluster(EmbeddedCluster cluster) {
      this.executor = new EmbeddedExecutor(Objects.requireNonNull(cluster, "cluster"));
      this.embeddedCluster = cluster;
      this.remoteCluster = null;
      return this;
    }

    /**
     * Runs each update's jobs on the Flink session cluster whose REST endpoint is {@code hostPort}
     * ({@code "127.0.0.1:8081"}) through a {@link RemoteExecutor}, shipping Tributary's deployable jar
     * and the pipeline's classes with them ({@link JobJars}). The storage root must be one that the
     * client, the JobManager and every TaskManager see.
     */
    public Builder cluster(String hostPort) {
      RemoteExecutor.HostPort.parse(hostPort);
      this.remoteCluster = hostPort;
      this.executor = null;
      this.embeddedCluster = null;
      return this;
    }

    /**
     * Runs the update's jobs on {@code executor} instead of an embedded cluster started per update;
     * the caller owns it (and closes what it holds).
     */
    public Builder executor(JobExecutor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.embeddedCluster = null;
      this.remoteCluster = null;
      return this;
    }

    /**
     * Wraps every analysis of the pipeline this builder makes ({@code Analyzer.analyze}), such as
     * one that counts them in a test.
     */
    Builder analyses(UnaryOperator<Function<LogicalPlan, ResolvedPlan>> wrap) {
      this.analyses = Objects.requireNonNull(wrap, "wrap");
      return this;
    }

    /** A Flink setting applied to every job of the pipeline, such as {@code state.backend.type}. */
    public Builder flinkOption(String key, String value) {
      Map<String, String> options = new TreeMap<>(flinkOptions);
      options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      this.flinkOptions = Map.copyOf(options);
      return this;
    }

    /**
     * In production mode, how often a failed flow runs again and the wait before the first retry
     * (doubling after each). Defaults: the configuration's {@code pipelines.maxFlowRetryAttempts}, else 2;
     * 1 s.
     */
    public Builder retries(int maxFlowRetries, Duration backoff) {
      if (maxFlowRetries < 0) {
        throw new IllegalArgumentException(
            "maxFlowRetries must not be negative, was " + maxFlowRetries);
      }
      this.maxFlowRetries = maxFlowRetries;
      this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Hadoop settings for the pipeline's storage: what {@code conf} sets beyond this process's defaults
     * travels with the jobs to every operator and enumerator (see {@link HadoopSettings}). Settings
     * given with {@link #hadoopSetting} or {@code --conf fs.…} override it.
     */
    public Builder hadoopConfiguration(org.apache.hadoop.conf.Configuration conf) {
      this.hadoopConf = Objects.requireNonNull(conf, "conf");
      return this;
    }

    /** One Hadoop setting for the pipeline's storage ({@code fs.s3a.endpoint}), as in a {@code hadoop:} block. */
    public Builder hadoopSetting(String key, String value) {
      hadoopSettings.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * The pipeline's logical plan, checked for structure only.
     *
     * @throws PipelineDefinitionException listing every structural problem, and then every wrong
     *     {@code pipelines.*} value
     */
    public LogicalPlan plan() {
      Pipeline pipeline = Pipeline.create(name, configuration);
      definitions.forEach(d -> d.define(pipeline));
      try {
        return pipeline.build();
      } catch (PipelineDefinitionException e) {
        if (e instanceof PipelineConfigException) {
          throw e; // a setting read while building: reported alone, as before
        }
        // the pipelines.* keys are reported with the structure's problems (the analyzer does, past
        // them)
        List<String> settings = PipelineSettings.problems(configuration);
        if (settings.isEmpty()) {
          throw e;
        }
        List<String> all = new ArrayList<>(e.problems());
        all.addAll(settings);
        throw PipelineDefinitionException.of(name, all);
      }
    }

    /**
     * Validates the pipeline fully, as {@code tributary validate} does: structure, then every query,
     * schema and constraint with Flink's planner. Writes nothing.
     *
     * @throws PipelineDefinitionException listing every problem
     */
    public ResolvedPlan validate() {
      return analyses
          .apply(ProductionRuntime.analyzer(storage(), false, plan())::analyze)
          .apply(plan());
    }

    /** Runs one update and returns how it ended; definition errors are thrown before anything runs. */
    public UpdateResult run() {
      RunningUpdate update = start();
      try {
        return update.await();
      } catch (InterruptedException e) {
        update.stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "Interrupted while waiting for an update of pipeline '"
                + name
                + "'; it was asked to stop.",
            e);
      }
    }

    /**
     * Starts one update in the background and returns its handle at once; definition errors are
     * thrown here, before anything runs.
     */
    public RunningUpdate start() {
      PipelineStorage pipelineStorage = storage();
      LogicalPlan logical = plan();
      OwnCluster ownCluster = OwnCluster.of(flinkOptions, pipelineStorage.settings());
      // the main of a Flink program runs its jobs on Flink's cluster, never on one of its own
      boolean inContext = executor == null && remoteCluster == null && ContextExecutor.inContext();
      // a triggered update's own cluster starts while the pipeline is analyzed: 2-3 s of a cold
      // start
      Optional<CompletableFuture<EmbeddedExecutor>> early =
          executor == null && remoteCluster == null && !inContext && !continuous
              ? Optional.of(ownCluster.startEarly(ownCluster.triggeredSlots(parallelism)))
              : Optional.empty();
      // a continuous update recomputes the incremental tables a stream looks up
      // (ResolvedPlan.forContinuousUpdate)
      PreparedUpdate prepared =
          PreparedUpdate.prepare(
              name,
              configuration,
              logical,
              pipelineStorage,
              selection,
              analyses,
              continuous ? ResolvedPlan::forContinuousUpdate : UnaryOperator.identity(),
              inContext,
              early);
      PipelineSettings pipelineSettings = prepared.settings();
      List<PlannedJob> jobs = prepared.plan().jobs();
      RunSettings settings =
          new RunSettings(
              parallelism,
              triggerInterval,
              development,
              continuous,
              flinkOptions,
              maxFlowRetries != null
                  ? maxFlowRetries
                  : pipelineSettings.maxFlowRetries().orElse(RunSettings.DEFAULT_FLOW_RETRIES),
              retryBackoff,
              pipelineSettings.maintenance());
      // continuous mode runs every streaming job at once, and a materialized table's job beside
      // them
      long streamingJobs =
          jobs.stream().filter(job -> job.mode() == PlannedJob.Mode.STREAMING).count();
      int slots =
          continuous
              ? (int) (parallelism * (streamingJobs + 1))
              : ownCluster.triggeredSlots(parallelism);
      RunningUpdate update = new RunningUpdate(pipelineStorage);
      UpdateListener recording = update.recorder(listener);
      JobExecutor shared =
          embeddedCluster != null
              ? new EmbeddedExecutor(embeddedCluster, pipelineSettings.caughtUpTimeout())
              : executor;
      String remote = remoteCluster;
      List<Class<?>> pipelineClasses =
          definitions.stream().<Class<?>>map(Object::getClass).toList();
      Thread thread =
          new Thread(
              () -> {
                Thread watcher = update.watchStopRequests();
                UpdateResult result = null;
                try (PipelineLock lock = prepared.lock()) {
                  // an executor given to the builder is the caller's; one started for this update
                  // is closed with it
                  JobExecutor target =
                      shared != null
                          ? shared
                          : remote != null
                              ? RemoteExecutor.connect(
                                  remote,
                                  JobJars.forPipeline(pipelineClasses),
                                  pipelineSettings.caughtUpTimeout())
                              : prepared.context().isPresent()
                                  ? prepared.context().get()
                                  : early.isPresent()
                                      ? OwnCluster.join(early.get())
                                          .withFailoverTimeout(pipelineSettings.caughtUpTimeout())
                                      : ownCluster.start(slots, pipelineSettings.caughtUpTimeout());
                  try {
                    UpdateRunner runner =
                        ProductionRuntime.runner(target, pipelineStorage, settings);
                    // analyzed again if a flow restarts for new columns: the stored schemas then
                    // have them
                    result =
                        runner.run(
                            prepared.plan(),
                            prepared.analyzeStoring(),
                            prepared.selected(),
                            recording,
                            update.stopRequest());
                  } finally {
                    if (shared == null) {
                      target.close();
                    }
                  }
                } catch (RuntimeException | Error e) {
                  update.fail(e);
                } finally {
                  watcher.interrupt();
                  pipelineStorage.clearStopRequest();
                }
                // only once the lock is released (and an own cluster closed): a caller's next
                // update may start
                if (result != null) {
                  update.complete(result);
                }
              },
              "tributary-update-" + name);
      thread.start();
      return update;
    }

    /**
     * Maintains the pipeline's tables as {@code tributary maintain} does: compaction of small files,
     * VACUUM, log checkpoint and cleanup, as {@code options} say. With the configuration key {@value
     * TableMaintenance#AFTER_UPDATE} (and {@value TableMaintenance#VACUUM_AFTER_UPDATE}) set to true,
     * every completed update does it for the tables it wrote.
     *
     * <pre>{@code
     * MaintenanceReport report = Tributary.pipeline(new OrdersPipeline()).storage(dir)
     *     .maintain(MaintenanceOptions.all().withDryRun(true));
     * }</pre>
     */
    public MaintenanceReport maintain(MaintenanceOptions options) {
      return TableMaintenance.run(storage(), Objects.requireNonNull(options, "options"));
    }

    private PipelineStorage storage() {
      String root =
          Optional.ofNullable(storage)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "Pipeline '"
                              + name
                              + "' has no storage root. Call storage(\"/path/or/uri\") before running it."));
      Map<String, String> fsKeys = new TreeMap<>();
      configuration.forEach(
          (key, value) -> {
            if (key.startsWith(PipelineConfig.HADOOP_FS_PREFIX)) {
              fsKeys.put(key, value);
            }
          });
      HadoopSettings settings =
          (hadoopConf == null ? HadoopSettings.none() : HadoopSettings.from(hadoopConf))
              .with(hadoopSettings)
              .with(fsKeys);
      return PipelineStorage.at(root, settings);
    }
  }
}
