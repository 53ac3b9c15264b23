package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source in real jobs on a MiniCluster, run the way the runner runs triggered updates: wait for the
 * caught-up signal, stop with a savepoint, restore the same graph with a new update id.
 */
class AutoLoaderSourceITCase {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(reporting())
              .build());

  private static Configuration reporting() {
    return METRICS.addToConfiguration(new Configuration());
  }

  private JobID lastJob;

  private static final String SOURCE_ID = "bronze_events";

  @TempDir Path dir;

  @Test
  void eachTriggeredUpdateReadsOnlyTheFilesThatArrivedSinceTheLastOne(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Path input = dir.resolve("input");
    Files.write(input, "a.json", "{\"id\":\"a1\"}\n{\"id\":\"a2\"}\n{\"id\":\"a3\"}\n");
    Files.write(input, "day=1/b.json", "{\"id\":\"b1\"}\n{oops\n");
    Files.write(input, "_c.json.tmp", "{\"id\":\"never\"}\n");
    Files.write(input, ".d.json", "{\"id\":\"never\"}\n");
    String run = UUID.randomUUID().toString();
    AutoLoader spec = AutoLoader.json(input.toString());
    RowType type =
        AutoLoaderSchemas.resolve(
            spec, dir.resolve("schema").toString(), new org.apache.hadoop.conf.Configuration());

    String first = runUpdate(cluster, spec, type, run, "update-1", null);
    assertThat(Committed.rows(run))
        .containsExactlyInAnyOrder("a1", "a2", "a3", "b1", "corrupt line 2");
    // What a remote runner polls: the enumerator gauge, under the source operator's coordinator
    // group.
    Map<String, Object> gauges = new TreeMap<>();
    METRICS
        .getMetricsByIdentifiers(lastJob)
        .forEach(
            (identifier, metric) -> {
              if (identifier.endsWith(
                  ".coordinator.enumerator." + PendingSplitEnumerator.CAUGHT_UP_METRIC)) {
                gauges.put(identifier, ((Gauge<?>) metric).getValue());
              }
            });
    assertThat(gauges).hasSize(1);
    assertThat(gauges.keySet().iterator().next()).contains("Source: " + SOURCE_ID);
    assertThat(gauges.values()).containsExactly(1);

    Files.write(input, "day=2/c.json", "{\"id\":\"c1\",\"extra\":1}\n{\"id\":\"c2\"}\n");
    Files.write(input, "day=2/d.json.gz", Files.gzip("{\"id\":\"d1\"}\n"));
    String second = runUpdate(cluster, spec, type, run, "update-2", first);
    assertThat(Committed.rows(run))
        .containsExactlyInAnyOrder(
            "a1", "a2", "a3", "b1", "corrupt line 2", "c1 rescued {\"extra\":1}", "c2", "d1");

    runUpdate(cluster, spec, type, run, "update-3", second);
    assertThat(Committed.rows(run)).hasSize(8);
  }

  @Test
  void aFailureMidFileAfterACompletedCheckpointYieldsEachLineExactlyOnce(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Path input = dir.resolve("input");
    int perFile = 1500;
    for (String name : List.of("x.json", "y.json")) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < perFile; i++) {
        // ~1 KB a line: a file (1.5 MB) spans more than one 1 MB fetch batch, so the position
        // restored after the failure is a byte offset inside the file plus records to skip, not the
        // file start.
        lines
            .append("{\"id\":\"")
            .append(name, 0, 1)
            .append(i)
            .append("\",\"pad\":\"")
            .append("p".repeat(1000))
            .append("\"}\n");
      }
      Files.write(input, name, lines.toString());
    }
    String run = UUID.randomUUID().toString();
    AutoLoader spec =
        AutoLoader.json(input.toString())
            .schema("id STRING, pad STRING")
            .option("rescuedDataColumn", "_rescued_data");
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    FailOnce.ARMED.put(run, new AtomicBoolean(true));

    JobGraph graph = graph(spec, type, run, "update-1", null, true);
    cluster.submitJob(graph).get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    while (Committed.rows(run).size() < 2 * perFile && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    stopWithSavepoint(cluster, graph.getJobID());

    List<String> rows = Committed.rows(run);
    assertThat(FailOnce.ARMED.get(run)).isFalse();
    assertThat(FailOnce.COMMITTED_AT_FAILURE.get(run)).isBetween(2000L, 2L * perFile - 1);
    assertThat(rows).hasSize(2 * perFile).doesNotHaveDuplicates();
  }

  @Test
  void maxFilesPerTriggerSpreadsATriggeredUpdateOverEpochsAndStillReadsEveryFile(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Path input = dir.resolve("input");
    for (int i = 0; i < 6; i++) {
      Files.write(input, "f" + i + ".json", "{\"id\":\"r" + i + "\"}\n");
    }
    String run = UUID.randomUUID().toString();
    AutoLoader spec =
        AutoLoader.json(input.toString())
            .schema("id STRING")
            .option("maxFilesPerTrigger", "1")
            .option("rescuedDataColumn", "_rescued_data");
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());

    runUpdate(cluster, spec, type, run, "update-1", null);

    assertThat(Committed.rows(run)).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4", "r5");
    // One file admitted per epoch: a file is read in the epoch it is admitted or the next, so six
    // files land in at least three different checkpoints.
    assertThat(
            Committed.COMMITS.get(run).keySet().stream()
                .map(key -> key.substring(key.indexOf('/') + 1))
                .distinct()
                .count())
        .isGreaterThanOrEqualTo(3);
  }

  /** Runs one triggered update to its caught-up point and stops it with a savepoint, whose path it returns. */
  private String runUpdate(
      MiniCluster cluster,
      AutoLoader spec,
      RowType type,
      String run,
      String updateId,
      String restoreFrom)
      throws Exception {
    var caughtUp = CaughtUpRegistry.await(updateId + run, SOURCE_ID);
    JobGraph graph = graph(spec, type, run, updateId + run, restoreFrom, false);
    cluster.submitJob(graph).get();
    lastJob = graph.getJobID();
    caughtUp.get(60, TimeUnit.SECONDS);
    String savepoint = stopWithSavepoint(cluster, graph.getJobID());
    CaughtUpRegistry.release(updateId + run);
    return savepoint;
  }

  private JobGraph graph(
      AutoLoader spec,
      RowType type,
      String run,
      String updateId,
      String restoreFrom,
      boolean failOnce) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(100);
    AutoLoaderSource source = AutoLoaderSource.triggered(spec, type, updateId, SOURCE_ID);
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), SOURCE_ID).uid("source");
    if (failOnce) {
      rows = rows.map(new FailOnce(run)).returns(source.getProducedType()).uid("fail-once");
    }
    rows.process(new Committed(run)).uid("collect").sinkTo(new DiscardingSink<>()).uid("discard");
    JobGraph graph = env.getStreamGraph().getJobGraph();
    if (restoreFrom != null) {
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom));
    }
    return graph;
  }

  /** Stops as the runner does: once every task runs, without draining, retrying while tasks still start. */
  private String stopWithSavepoint(MiniCluster cluster, JobID job) throws Exception {
    String target = dir.resolve("savepoints").toUri().toString();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (allTasksRunning(cluster, job)) {
        try {
          String path =
              cluster.stopWithSavepoint(job, target, false, SavepointFormatType.NATIVE).get();
          assertThat(cluster.requestJobResult(job).get().isSuccess()).isTrue();
          return path;
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + job + " did not get all tasks running");
      }
      Thread.sleep(100);
    }
  }

  private static boolean allTasksRunning(MiniCluster cluster, JobID job) throws Exception {
    if (cluster.getJobStatus(job).get() != JobStatus.RUNNING) {
      return false;
    }
    AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
    boolean any = false;
    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
      any = true;
      if (vertex.getExecutionState() != ExecutionState.RUNNING) {
        return false;
      }
    }
    return any;
  }

  /**
   * An exactly-once test sink (it reads the last column as the rescued data column, which the tests'
   * declared schemas name): rows of an epoch are committed (to a static map, idempotently by subtask
   * and checkpoint id) only when the checkpoint that ends the epoch completes; epochs pending in a
   * restored checkpoint are committed on restore.
   */
  static final class Committed extends ProcessFunction<RowData, Void>
      implements CheckpointedFunction, CheckpointListener {
    private static final ConcurrentMap<String, ConcurrentMap<String, List<String>>> COMMITS =
        new ConcurrentHashMap<>();

    private final String run;
    private transient List<String> epoch;
    private transient TreeMap<Long, List<String>> pending;
    private transient ListState<String> state;

    Committed(String run) {
      this.run = run;
    }

    static List<String> rows(String run) {
      List<String> all = new ArrayList<>();
      COMMITS.getOrDefault(run, new ConcurrentHashMap<>()).values().forEach(all::addAll);
      return all;
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<Void> out) {
      String rescued =
          row.isNullAt(row.getArity() - 1) ? null : row.getString(row.getArity() - 1).toString();
      String text;
      if (row.isNullAt(0)) {
        text =
            rescued != null && rescued.contains("_corrupt_record")
                ? "corrupt line " + rescued.replaceAll(".*\"_line\":(\\d+).*", "$1")
                : "null";
      } else if (rescued != null) {
        text =
            row.getString(0) + " rescued " + rescued.replaceAll(",\"_file_path\":\"[^\"]*\"", "");
      } else {
        text = row.getString(0).toString();
      }
      epoch.add(text);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      pending.put(context.getCheckpointId(), new ArrayList<>(epoch));
      epoch.clear();
      List<String> encoded = new ArrayList<>();
      pending.forEach((id, rows) -> rows.forEach(row -> encoded.add(id + "\t" + row)));
      pending.forEach((id, rows) -> encoded.add(id + "\t"));
      state.update(encoded);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      epoch = new ArrayList<>();
      pending = new TreeMap<>();
      state =
          context
              .getOperatorStateStore()
              .getListState(new ListStateDescriptor<>("pending", Types.STRING));
      for (String entry : state.get()) {
        int tab = entry.indexOf('\t');
        List<String> rows =
            pending.computeIfAbsent(
                Long.parseLong(entry.substring(0, tab)), id -> new ArrayList<>());
        if (tab < entry.length() - 1 || !entry.endsWith("\t")) {
          rows.add(entry.substring(tab + 1));
        }
      }
      if (context.isRestored()) {
        commitUpTo(Long.MAX_VALUE);
      }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      commitUpTo(checkpointId);
    }

    private void commitUpTo(long checkpointId) {
      int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
      var commits = COMMITS.computeIfAbsent(run, r -> new ConcurrentHashMap<>());
      var done = pending.headMap(checkpointId, true);
      done.forEach(
          (id, rows) ->
              commits.putIfAbsent(subtask + "/" + id, Collections.unmodifiableList(rows)));
      done.clear();
    }
  }

  /** Slows records down so checkpoints land mid-file, and fails once after some rows were committed. */
  static final class FailOnce extends RichMapFunction<RowData, RowData> {
    static final Map<String, AtomicBoolean> ARMED = new ConcurrentHashMap<>();
    static final Map<String, Long> COMMITTED_AT_FAILURE = new ConcurrentHashMap<>();

    private final String run;
    private transient AtomicLong seen;

    FailOnce(String run) {
      this.run = run;
    }

    @Override
    public void open(OpenContext openContext) {
      seen = new AtomicLong();
    }

    @Override
    public RowData map(RowData row) {
      LockSupport.parkNanos(300_000);
      seen.incrementAndGet();
      int committed = Committed.rows(run).size();
      if (committed >= 2000 && ARMED.get(run).compareAndSet(true, false)) {
        COMMITTED_AT_FAILURE.put(run, (long) committed);
        throw new IllegalStateException("injected failure after " + committed + " committed rows");
      }
      return row;
    }
  }
}
