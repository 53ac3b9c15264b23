package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.SeededRandom;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Delta sink in real jobs: exactly-once appends across failures and savepoints, overwrites, BATCH. */
class DeltaSinkITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)))
              .notNull()
              .getLogicalType();

  /** How long a wait for the job may take before the test fails naming what it waited for. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** What a stop-with-savepoint fails with while the job's tasks are still starting: worth a retry. */
  private static final Predicate<Throwable> TASKS_NOT_RUNNING_YET =
      Await.messageContains("Not all required tasks")
          .or(Await.messageContains("not all required tasks"));

  @RegisterExtension final SeededRandom seeded = new SeededRandom();

  @TempDir Path dir;

  /** Shared with the map function across attempts (one JVM). */
  static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();

  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final Set<Long> EMITTED = ConcurrentHashMap.newKeySet();
  static volatile long failAfterRecords = -1;
  static volatile long sleepEveryRecords = 0;

  /**
   * Once this many rows are out, each next one takes 10 ms: a stop-with-savepoint asked then finds the
   * input far from its end however slowly the job's tasks start (-1: off).
   */
  static volatile long slowOnceEmitted = -1;

  @BeforeEach
  void reset() {
    COMPLETED_CHECKPOINTS.set(0);
    FAILED.set(false);
    EMITTED.clear();
    failAfterRecords = -1;
    sleepEveryRecords = 0;
    slowOnceEmitted = -1;
  }

  static Row expected(long id) {
    return Row.of(id, id % 5 == 0 ? null : "name-" + id, new BigDecimal(id).movePointLeft(2));
  }

  /** Numbers to rows, slowly enough for checkpoints to happen, failing once where told. */
  static final class ToRow extends RichMapFunction<Long, RowData> implements CheckpointListener {
    private transient long seen;

    @Override
    public void open(OpenContext context) {
      seen = 0;
    }

    @Override
    public RowData map(Long id) throws Exception {
      seen++;
      if (failAfterRecords > 0
          && seen >= failAfterRecords
          && COMPLETED_CHECKPOINTS.get() > 0
          && FAILED.compareAndSet(false, true)) {
        throw new RuntimeException("injected failure at record " + id);
      }
      if (sleepEveryRecords > 0 && seen % sleepEveryRecords == 0) {
        Thread.sleep(1);
      }
      if (slowOnceEmitted > 0 && EMITTED.size() >= slowOnceEmitted) {
        Thread.sleep(10);
      }
      EMITTED.add(id);
      return GenericRowData.of(
          id,
          id % 5 == 0 ? null : StringData.fromString("name-" + id),
          DecimalData.fromBigDecimal(new BigDecimal(id).movePointLeft(2), 10, 2));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      COMPLETED_CHECKPOINTS.incrementAndGet();
    }
  }

  private StreamExecutionEnvironment streaming() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(200);
    return env;
  }

  private static void pipeline(
      StreamExecutionEnvironment env, long from, long to, DeltaWriteSpec spec) {
    DataStream<RowData> rows =
        env.fromSequence(from, to)
            .uid("numbers")
            .map(new ToRow())
            .uid("to-row")
            .returns(InternalTypeInfo.of(TYPE));
    DeltaSink.write(rows, spec, "table");
  }

  private String table() {
    return dir.resolve("table").toString();
  }

  private static List<Row> sorted(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort((a, b) -> Long.compare((Long) a.getField(0), (Long) b.getField(0)));
    return out;
  }

  private static List<Row> expected(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(DeltaSinkITCase::expected).toList();
  }

  /** Transaction versions of the commits in the table's log, in commit order. */
  private List<Long> txnVersions() throws Exception {
    List<Long> versions = new ArrayList<>();
    Pattern txn = Pattern.compile("\"txn\":\\{\"appId\":\"[^\"]*\",\"version\":(\\d+)");
    try (Stream<Path> logs = Files.list(dir.resolve("table/_delta_log"))) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        Matcher m = txn.matcher(Files.readString(log));
        while (m.find()) {
          versions.add(Long.parseLong(m.group(1)));
        }
      }
    }
    return versions;
  }

  @Test
  void appendsEveryRowOnceInOneCommitPerEpochReadableByKernelAndStandalone() throws Exception {
    sleepEveryRecords = 2;
    StreamExecutionEnvironment env = streaming();
    pipeline(env, 1, 2000, DeltaWriteSpec.append(table(), TYPE, "it/append/table/g1"));
    env.execute("append");

    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 2000));
    assertThat(sorted(DeltaTestSupport.readWithStandalone(table(), TYPE)))
        .isEqualTo(expected(1, 2000));
    List<Long> versions = txnVersions();
    assertThat(versions).hasSizeGreaterThan(1).isSorted().doesNotHaveDuplicates();
    assertThat(versions.get(0)).isEqualTo(1);
    // one commit per epoch: every data commit carries exactly one transaction
    assertThat(DeltaTableReader.version(table())).isEqualTo(versions.size());
  }

  @Test
  void aFailureAfterACheckpointYieldsTheExactMultiset() throws Exception {
    sleepEveryRecords = 2;
    failAfterRecords = seeded.get().nextLong(200, 800);
    StreamExecutionEnvironment env = streaming();
    pipeline(env, 1, 2000, DeltaWriteSpec.append(table(), TYPE, "it/fail/table/g1"));
    env.execute("append with failure");

    assertThat(FAILED).isTrue();
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 2000));
    assertThat(txnVersions()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void stopWithSavepointCommitsTheLastEpochAndARestoredJobContinuesExactlyOnce(
      @InjectClusterClient ClusterClient<?> client) throws Exception {
    sleepEveryRecords = 1;
    DeltaWriteSpec spec = DeltaWriteSpec.append(table(), TYPE, "it/savepoint/table/g1");
    StreamExecutionEnvironment env = streaming();
    env.getCheckpointConfig().setCheckpointInterval(60_000); // only the savepoint commits
    pipeline(env, 1, 3000, spec);
    slowOnceEmitted = 400;
    JobID job = client.submitJob(env.getStreamGraph().getJobGraph()).get();
    Await.until("400 rows emitted", PATIENCE, () -> EMITTED.size() >= 400);
    String savepoint =
        Await.retrying(
            "stop-with-savepoint of job " + job,
            PATIENCE,
            TASKS_NOT_RUNNING_YET,
            () ->
                client
                    .stopWithSavepoint(
                        job,
                        false,
                        dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.NATIVE)
                    .get());
    slowOnceEmitted = -1;
    JobResult result = client.requestJobResult(job).get();
    assertThat(result.getJobStatus()).contains(JobStatus.FINISHED);
    // committed before FINISHED was reported: exactly the rows that went into the job so far
    List<Row> afterStop = sorted(DeltaTableReader.readAll(table()));
    assertThat(afterStop).hasSize(EMITTED.size()).hasSizeLessThan(3000);
    assertThat(afterStop)
        .isEqualTo(EMITTED.stream().sorted().map(DeltaSinkITCase::expected).toList());

    StreamExecutionEnvironment again = streaming();
    pipeline(again, 1, 3000, spec);
    JobGraph graph = again.getStreamGraph().getJobGraph();
    graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    JobID restored = client.submitJob(graph).get();
    assertThat(client.requestJobResult(restored).get().getJobStatus()).contains(JobStatus.FINISHED);
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 3000));
    assertThat(txnVersions()).isSorted().doesNotHaveDuplicates();
  }

  private void batch(long from, long to, DeltaWriteSpec spec) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    pipeline(env, from, to, spec);
    env.execute("batch");
  }

  @Test
  void overwritesReplaceTheTableAtomicallyAndARerunOfTheSameVersionCommitsNothing()
      throws Exception {
    batch(1, 100, DeltaWriteSpec.overwrite(table(), TYPE, "it/mat/table/g1", 1));
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 100));
    batch(201, 250, DeltaWriteSpec.overwrite(table(), TYPE, "it/mat/table/g1", 2));
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(201, 250));
    assertThat(sorted(DeltaTestSupport.readWithStandalone(table(), TYPE)))
        .isEqualTo(expected(201, 250));
    long version = DeltaTableReader.version(table());
    batch(
        1,
        10,
        DeltaWriteSpec.overwrite(
            table(), TYPE, "it/mat/table/g1", 2)); // crashed-and-rerun update 2
    assertThat(DeltaTableReader.version(table())).isEqualTo(version);
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(201, 250));
    assertThat(txnVersions()).containsExactly(1L, 2L);
  }

  @Test
  void aBatchJobCommitsOnceAtTheEndOfInput() throws Exception {
    DeltaWriteSpec spec = DeltaWriteSpec.append(table(), TYPE, "it/batch/table/g1");
    batch(1, 100, spec);
    batch(101, 150, spec);
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 150));
    assertThat(txnVersions()).containsExactly(1L, 2L);
  }

  @Test
  void aStreamingOverwriteCommitsAtTheFinalCheckpoint() throws Exception {
    StreamExecutionEnvironment env = streaming();
    pipeline(env, 1, 500, DeltaWriteSpec.overwrite(table(), TYPE, "it/stream-mat/table/g1", 7));
    env.execute("streaming overwrite");
    assertThat(sorted(DeltaTableReader.readAll(table()))).isEqualTo(expected(1, 500));
    assertThat(txnVersions()).containsExactly(7L);
  }
}
