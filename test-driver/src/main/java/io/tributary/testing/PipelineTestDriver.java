package io.tributary.testing;

import io.tributary.cdc.CdcLayout;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.FlowEvent;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.tables.TableView;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs a user's pipeline in a plain JUnit test, in the spirit of Kafka Streams' {@code
 * TopologyTestDriver}: feed its sources, run an update, read back its tables, expectation counts,
 * quarantined rows and SCD2 history as plain values. It runs the production operators and writers (the
 * same jobs, Delta commits and state as {@code tributary start}) on one embedded Flink cluster shared by
 * every driver of the JVM, so only the first test pays the cluster's start, or on the test class's
 * cluster of a {@link TributaryClusterExtension} ({@link Builder#on}).
 *
 * <pre>{@code
 * try (PipelineTestDriver driver = PipelineTestDriver.builder(new OrdersPipeline()).build()) {
 *   AutoLoaderInput orders = driver.autoLoaderFolder("source.orders");  // p.conf("source.orders", ...)
 *   orders.addJson(Map.of("order_id", 1, "customer_id", "c1"), Map.of("customer_id", "c2"));
 *   driver.runUpdate();
 *   assertThat(driver.rows("silver_orders")).hasSize(1);
 *   assertThat(driver.expectations("silver_orders").get("valid_order_id").failed()).isEqualTo(1);
 *   assertThat(driver.quarantined("silver_orders")).hasSize(1);       // with .quarantine()
 * }
 * }</pre>
 *
 * <p>Sources enter as the pipeline reads them in production: a new file in an Auto Loader folder
 * ({@link #autoLoaderFolder}) or a new version of a Delta table ({@link #deltaTable}). Each driver has
 * its own storage (a temporary folder deleted by {@link #close()} unless given with {@link
 * Builder#workDir}), so updates carry state and positions from one to the next as in production.
 *
 * <p>Run test JVMs with {@code -XX:TieredStopAtLevel=1}: the driver's CPU time halves (the first test
 * about 10 s of CPU, each later update under 1 s, on the benchmark's pipeline).
 */
public final class PipelineTestDriver implements AutoCloseable {

  private final Tributary.Builder pipeline;
  private final Map<String, String> configuration;
  private final Path work;
  private final boolean ownWork;
  private final EmbeddedCluster cluster;
  private final Duration clusterStart;
  private final String storage;
  private UpdateResult lastUpdate;
  private UpdateTiming lastTiming;
  private boolean clusterStartReported;

  private PipelineTestDriver(Builder b, Path work, boolean ownWork) {
    this.work = work;
    this.ownWork = ownWork;
    this.configuration = new TreeMap<>(b.configuration);
    this.storage = work.resolve("storage").toString();
    boolean shared = b.cluster == null;
    Duration before = SharedCluster.startTime();
    this.cluster = shared ? SharedCluster.get() : b.cluster;
    // the cluster start is reported with this driver's first update if this driver started it
    this.clusterStart = shared && before.isZero() ? SharedCluster.startTime() : Duration.ZERO;
    this.pipeline =
        Tributary.pipeline(b.definitions.toArray(PipelineDefinition[]::new))
            .name(b.name)
            .storage(storage)
            .cluster(cluster)
            .parallelism(b.parallelism)
            .triggerInterval(b.triggerInterval);
    b.flinkOptions.forEach(pipeline::flinkOption);
  }

  /** A driver of the pipeline these definitions make. */
  public static Builder builder(PipelineDefinition... definitions) {
    return new Builder(List.of(definitions));
  }

  /**
   * A new folder for an Auto Loader source: the configuration key {@code confKey} (the one the pipeline
   * reads with {@code p.conf(confKey, ...)}) is set to its path.
   */
  public AutoLoaderInput autoLoaderFolder(String confKey) {
    Path folder = work.resolve("inputs").resolve(folderName(confKey));
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    configuration.put(confKey, folder.toString());
    return new AutoLoaderInput(folder);
  }

  /**
   * A new Delta table of these columns ({@code "id BIGINT, name STRING"}) for a {@code DeltaSource.path}
   * source: the configuration key {@code confKey} is set to its path. It exists once rows are appended.
   */
  public DeltaTableInput deltaTable(String confKey, String schema) {
    String name = folderName(confKey);
    DeltaTableInput input =
        new DeltaTableInput(name, schema, work.resolve("delta-inputs").resolve(name), cluster);
    configuration.put(confKey, input.path());
    return input;
  }

  /** Sets a configuration value the pipeline reads with {@code p.conf(key, ...)}, from the next update on. */
  public PipelineTestDriver configure(String key, String value) {
    configuration.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Runs one triggered update: every flow reads what its sources have that it has not read yet.
   *
   * @throws IllegalStateException if the update does not complete, with its error
   */
  public UpdateResult runUpdate() {
    UpdateResult result = tryUpdate();
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "Update "
              + result.number()
              + " of pipeline '"
              + result.pipeline()
              + "' ended "
              + result.state()
              + ": "
              + result.error().orElse("no error recorded"));
    }
    return result;
  }

  /** Runs one triggered update and returns how it ended, whatever that is. */
  public UpdateResult tryUpdate() {
    long start = System.nanoTime();
    Instant started = Instant.now();
    RunningUpdate update = pipeline.configuration(configuration).start();
    UpdateResult result;
    try {
      result = update.await();
    } catch (InterruptedException e) {
      update.stop();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for an update", e);
    }
    Instant ended = Instant.now();
    Duration total = Duration.ofNanos(System.nanoTime() - start);
    List<FlowEvent> events = update.events();
    Instant firstStart =
        events.stream()
            .filter(e -> e.state() == FlowState.STARTING)
            .map(FlowEvent::time)
            .min(Comparator.naturalOrder())
            .orElse(ended);
    Instant lastEnd =
        events.stream().map(FlowEvent::time).max(Comparator.naturalOrder()).orElse(ended);
    Duration planning = Duration.between(started, firstStart);
    Duration jobs = Duration.between(firstStart, lastEnd);
    Duration finishing = Duration.between(lastEnd, ended);
    Duration startup = clusterStartReported ? Duration.ZERO : clusterStart;
    clusterStartReported = true;
    lastTiming = new UpdateTiming(startup, planning, jobs, finishing, total.plus(startup));
    lastUpdate = result;
    return result;
  }

  /** How the last update ended. */
  public UpdateResult lastUpdate() {
    if (lastUpdate == null) {
      throw new IllegalStateException("No update has run yet: call runUpdate() first.");
    }
    return lastUpdate;
  }

  /** Where the time of the last update went (the first also counts the cluster start if it paid it). */
  public UpdateTiming lastTiming() {
    lastUpdate();
    return lastTiming;
  }

  /** The pipeline's storage root: its tables are under {@code tables/}. */
  public String storage() {
    return storage;
  }

  /** The pipeline's tables, to read as a service would. */
  public PipelineTables tables() {
    return PipelineTables.open(storage);
  }

  /** The table {@code name}. */
  public TableView table(String name) {
    return tables().table(name);
  }

  /** The rows of table {@code name}, each a map from column name to value, in no particular order. */
  public List<Map<String, Object>> rows(String name) {
    return table(name).rowsAsMaps();
  }

  /**
   * The counts of {@code dataset}'s expectations over the last update, by expectation name, summed over
   * its micro-batches (the event log's {@code flow_progress} events).
   */
  public Map<String, ExpectationCount> expectations(String dataset) {
    Map<String, ExpectationCount> counts = new LinkedHashMap<>();
    EventLog.dataQuality(
            EventLog.of(PipelineStorage.at(storage, new org.apache.hadoop.conf.Configuration()))
                .events(),
            lastUpdate().updateId())
        .values()
        .stream()
        .filter(t -> t.dataset().equals(dataset))
        .forEach(
            t ->
                counts.put(
                    t.name(), new ExpectationCount(t.dataset(), t.name(), t.passed(), t.failed())));
    return counts;
  }

  /**
   * The rows {@code dataset}'s {@code expectOrDrop} expectations dropped, as its quarantine table keeps
   * them (the row's columns and the names of the expectations it failed). The dataset needs {@code
   * .quarantine()}; without it dropped rows are only counted ({@link #expectations}).
   */
  public List<Map<String, Object>> quarantined(String dataset) {
    String table = dataset + "_quarantine";
    return tables()
        .find(table)
        .map(TableView::rowsAsMaps)
        .orElseGet(
            () -> {
              if (tables().find(dataset).isEmpty()) {
                throw new IllegalArgumentException(
                    "Table '"
                        + dataset
                        + "' does not exist under "
                        + storage
                        + "/tables: run "
                        + "an update that writes it first.");
              }
              return List.of();
            });
  }

  /**
   * The rows of the SCD type 2 table {@code target} ordered by {@code keys}, then by {@code __START_AT}:
   * each key's versions, oldest first, the current one with {@code __END_AT} null.
   */
  public List<Map<String, Object>> scd2History(String target, String... keys) {
    List<Map<String, Object>> rows = new ArrayList<>(rows(target));
    if (!rows.isEmpty() && !rows.get(0).containsKey(CdcLayout.START_AT)) {
      throw new IllegalArgumentException(
          "Table '"
              + target
              + "' has no "
              + CdcLayout.START_AT
              + " column: it is not "
              + "an applyChanges target stored as SCD type 2 (storedAsScdType(2)).");
    }
    Comparator<Map<String, Object>> order =
        Stream.concat(Arrays.stream(keys), Stream.of(CdcLayout.START_AT))
            .map(PipelineTestDriver::byColumn)
            .reduce(Comparator::thenComparing)
            .orElseThrow();
    rows.sort(order);
    return rows;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Map<String, Object>> byColumn(String column) {
    return Comparator.comparing(
        row -> (Comparable) row.get(column), Comparator.nullsLast(Comparator.naturalOrder()));
  }

  /** Deletes the driver's storage and inputs, unless they live in a folder the test gave. */
  @Override
  public void close() {
    if (!ownWork) {
      return;
    }
    try (Stream<Path> paths = Files.walk(work)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot delete the driver's folder " + work + ": " + e.getMessage(), e);
    }
  }

  private static String folderName(String confKey) {
    return confKey.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  /** Settings of a driver. */
  public static final class Builder {
    private static final java.util.concurrent.atomic.AtomicInteger DRIVERS =
        new java.util.concurrent.atomic.AtomicInteger();

    private final List<PipelineDefinition> definitions;
    private final Map<String, String> configuration = new TreeMap<>();
    private final Map<String, String> flinkOptions = new TreeMap<>();
    private String name = "test";
    private Path workDir;
    private EmbeddedCluster cluster;
    private int parallelism = 1;
    private Duration triggerInterval = Duration.ofSeconds(1);

    private Builder(List<PipelineDefinition> definitions) {
      if (definitions.isEmpty()) {
        throw new IllegalArgumentException("a driver needs at least one PipelineDefinition");
      }
      this.definitions = definitions;
    }

    /** The pipeline's name ({@code test} unless set): its transaction ids and event log carry it. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** A value the pipeline reads with {@code p.conf(key, ...)}. */
    public Builder configuration(String key, String value) {
      configuration.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Values the pipeline reads with {@code p.conf(key, ...)}. */
    public Builder configuration(Map<String, String> values) {
      configuration.putAll(values);
      return this;
    }

    /** Keeps storage and inputs in this folder (e.g. JUnit's {@code @TempDir}), not deleted on close. */
    public Builder workDir(Path dir) {
      this.workDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Runs on the test class's cluster of {@code extension} instead of the JVM's shared one, with storage
     * and inputs in a folder of the running test (deleted after it):
     *
     * <pre>{@code
     * @RegisterExtension
     * static final TributaryClusterExtension FLINK = new TributaryClusterExtension();
     * ...
     * PipelineTestDriver driver = PipelineTestDriver.builder(new OrdersPipeline()).on(FLINK).build();
     * }</pre>
     */
    public Builder on(TributaryClusterExtension extension) {
      Objects.requireNonNull(extension, "extension");
      cluster(extension.cluster());
      return workDir(extension.storage("tributary-test-driver-" + DRIVERS.incrementAndGet()));
    }

    /** Runs on this started cluster instead of the JVM's shared one. */
    public Builder cluster(EmbeddedCluster cluster) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      return this;
    }

    /** Each flow's parallelism: 1 unless set. */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /** The epoch length of streaming flows: 1 s unless set. */
    public Builder triggerInterval(Duration interval) {
      this.triggerInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** A Flink setting for every job, such as {@code state.backend.type}. */
    public Builder flinkOption(String key, String value) {
      flinkOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The driver; starts the JVM's shared cluster if no driver has. */
    public PipelineTestDriver build() {
      if (workDir != null) {
        return new PipelineTestDriver(this, workDir, false);
      }
      try {
        return new PipelineTestDriver(
            this, Files.createTempDirectory("tributary-test-driver-"), true);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the driver's folder: " + e.getMessage(), e);
      }
    }
  }
}
