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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
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
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upsert sink in real jobs: a changelog applied exactly once across a failure and across
 * stop-with-savepoint and restore, one Delta commit per epoch, and a small change to a large table
 * rewriting only the buckets it touches.
 */
class DeltaUpsertITCase {

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
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
                  DataTypes.FIELD("seq", DataTypes.BIGINT()))
              .notNull()
              .getLogicalType();

  static final long KEYS = 300;

  static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicLong LAST_EMITTED = new AtomicLong();
  static volatile long failAfterRecords = -1;

  /**
   * Once a change of this number is out, each next one takes 10 ms: a stop-with-savepoint asked then
   * finds the input far from its end however slowly the job's tasks start (-1: off).
   */
  static volatile long slowOnceEmitted = -1;

  /** How long a wait for the job may take before the test fails naming what it waited for. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** What a stop-with-savepoint fails with while the job's tasks are still starting: worth a retry. */
  private static final Predicate<Throwable> TASKS_NOT_RUNNING_YET =
      Await.messageContains("Not all required tasks")
          .or(Await.messageContains("not all required tasks"));

  @RegisterExtension final SeededRandom seeded = new SeededRandom();

  @TempDir Path dir;

  @BeforeEach
  void reset() {
    COMPLETED_CHECKPOINTS.set(0);
    FAILED.set(false);
    LAST_EMITTED.set(0);
    failAfterRecords = -1;
    slowOnceEmitted = -1;
  }

  /** Change number {@code i} of the changelog: key {@code i % KEYS}; every 11th a delete. */
  static RowKind kind(long i) {
    return i % 11 == 0 ? RowKind.DELETE : i % 3 == 0 ? RowKind.UPDATE_AFTER : RowKind.INSERT;
  }

  static Row expectedRow(long i) {
    long id = i % KEYS;
    return Row.of(id, id % 5 == 0 ? null : "name-" + i, new BigDecimal(i).movePointLeft(2), i);
  }

  /** The table after changes 1..last, applied in order. */
  static Map<Long, Row> expected(long last) {
    Map<Long, Row> table = new TreeMap<>();
    for (long i = 1; i <= last; i++) {
      if (kind(i) == RowKind.DELETE) {
        table.remove(i % KEYS);
      } else {
        table.put(i % KEYS, expectedRow(i));
      }
    }
    return table;
  }

  /** Numbers to changes, slowly enough for checkpoints, failing once where told. */
  static final class ToChange extends RichMapFunction<Long, RowData> implements CheckpointListener {
    private transient long seen;

    @Override
    public void open(OpenContext context) {
      seen = 0;
    }

    @Override
    public RowData map(Long i) throws Exception {
      seen++;
      if (failAfterRecords > 0
          && seen >= failAfterRecords
          && COMPLETED_CHECKPOINTS.get() > 0
          && FAILED.compareAndSet(false, true)) {
        throw new RuntimeException("injected failure at change " + i);
      }
      Thread.sleep(slowOnceEmitted > 0 && LAST_EMITTED.get() >= slowOnceEmitted ? 10 : 1);
      LAST_EMITTED.accumulateAndGet(i, Math::max);
      long id = i % KEYS;
      GenericRowData row =
          GenericRowData.ofKind(
              kind(i),
              id,
              id % 5 == 0 ? null : StringData.fromString("name-" + i),
              DecimalData.fromBigDecimal(new BigDecimal(i).movePointLeft(2), 10, 2),
              i);
      return row;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      COMPLETED_CHECKPOINTS.incrementAndGet();
    }
  }

  private String table() {
    return dir.resolve("table").toString();
  }

  /** A keyed table of 8 buckets, merge-on-read with deletion vectors unless told otherwise. */
  private DeltaWriteSpec spec(String appId, boolean deletionVectors) {
    return DeltaWriteSpec.upsert(table(), TYPE, appId, List.of("id"))
        .withProperties(
            Map.of(
                DeltaWriteSpec.BUCKETS_PROPERTY,
                "8",
                DeltaWriteSpec.DELETION_VECTORS_PROPERTY,
                Boolean.toString(deletionVectors)));
  }

  private DeltaWriteSpec spec(String appId) {
    return spec(appId, true);
  }

  private static StreamExecutionEnvironment streaming(long checkpointInterval) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(checkpointInterval);
    return env;
  }

  /** One source and mapper, so each key's changes keep their order; two writers. */
  private static void pipeline(StreamExecutionEnvironment env, long to, DeltaWriteSpec spec) {
    DataStream<RowData> changes =
        env.fromSequence(1, to)
            .uid("numbers")
            .setParallelism(1)
            .map(new ToChange())
            .uid("to-change")
            .setParallelism(1)
            .returns(InternalTypeInfo.of(TYPE));
    DeltaSink.upsert(changes, spec, "table");
  }

  private Map<Long, Row> tableByKernel() {
    return byKey(DeltaTableReader.readAll(table()));
  }

  private static Map<Long, Row> byKey(List<Row> rows) {
    Map<Long, Row> map = new TreeMap<>();
    for (Row row : rows) {
      assertThat(map.put((Long) row.getField(0), row)).as("duplicate key in %s", row).isNull();
    }
    return map;
  }

  /** Each commit file of the log: its transaction versions and its add/remove paths. */
  private record Commit(List<Long> txns, List<String> adds, List<String> removes) {}

  private List<Commit> commits() throws Exception {
    Pattern txn = Pattern.compile("\"txn\":\\{\"appId\":\"[^\"]*\",\"version\":(\\d+)");
    Pattern add = Pattern.compile("\"add\":\\{\"path\":\"([^\"]+)\"");
    Pattern remove = Pattern.compile("\"remove\":\\{\"path\":\"([^\"]+)\"");
    List<Commit> commits = new ArrayList<>();
    try (Stream<Path> logs = Files.list(dir.resolve("table/_delta_log"))) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String text = Files.readString(log);
        commits.add(
            new Commit(
                all(txn, text).stream().map(Long::parseLong).toList(),
                all(add, text),
                all(remove, text)));
      }
    }
    return commits;
  }

  private static List<String> all(Pattern pattern, String text) {
    List<String> found = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** Whether the table's protocol has the deletion-vector feature (its first commit says so). */
  private boolean deletionVectorsEnabled() throws Exception {
    return Files.readString(dir.resolve("table/_delta_log/00000000000000000000.json"))
        .contains("\"deletionVectors\"");
  }

  private void assertOneCommitPerEpoch() throws Exception {
    List<Commit> commits = commits();
    assertThat(commits.get(0).txns()).isEmpty(); // the table's creation
    List<Long> txns = new ArrayList<>();
    for (Commit commit : commits.subList(1, commits.size())) {
      assertThat(commit.txns()).hasSize(1);
      txns.addAll(commit.txns());
    }
    assertThat(txns).isSorted().doesNotHaveDuplicates();
    assertThat(commits.stream().filter(c -> !c.removes().isEmpty())).isNotEmpty();
  }

  /**
   * With deletion vectors the table is read by Kernel only (Delta Standalone 3.3.2 cannot read
   * them); copy-on-write, by Kernel and Standalone.
   */
  @ParameterizedTest(name = "deletion vectors: {0}")
  @ValueSource(booleans = {true, false})
  void aFailureAfterACheckpointYieldsTheExactTable(boolean deletionVectors) throws Exception {
    failAfterRecords = seeded.get().nextLong(500, 1200);
    StreamExecutionEnvironment env = streaming(150);
    pipeline(env, 2000, spec("it/upsert-fail/table/g1", deletionVectors));
    env.execute("upsert with failure");

    assertThat(FAILED).isTrue();
    Map<Long, Row> expected = expected(2000);
    assertThat(tableByKernel()).isEqualTo(expected);
    if (!deletionVectors) {
      assertThat(byKey(DeltaTestSupport.readWithStandalone(table(), TYPE))).isEqualTo(expected);
    } else {
      // Whether an epoch writes vectors or compacts the files it deletes most of depends on how
      // many changes the epoch held, that is on the machine's speed: the table's protocol is what
      // is fixed.
      assertThat(deletionVectorsEnabled()).isTrue();
    }
    assertOneCommitPerEpoch();
    assertThat(commits().size()).isGreaterThan(3);
  }

  @Test
  void stopWithSavepointCommitsTheLastEpochAndARestoredJobContinuesExactlyOnce(
      @InjectClusterClient ClusterClient<?> client) throws Exception {
    DeltaWriteSpec spec = spec("it/upsert-savepoint/table/g1");
    StreamExecutionEnvironment env = streaming(300);
    pipeline(env, 3000, spec);
    slowOnceEmitted = 800;
    JobID job = client.submitJob(env.getStreamGraph().getJobGraph()).get();
    Await.until("800 rows emitted", PATIENCE, () -> LAST_EMITTED.get() >= 800);
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
    assertThat(client.requestJobResult(job).get().getJobStatus()).contains(JobStatus.FINISHED);
    long stoppedAt = LAST_EMITTED.get();
    assertThat(stoppedAt).isLessThan(3000);
    assertThat(tableByKernel()).isEqualTo(expected(stoppedAt));

    StreamExecutionEnvironment again = streaming(300);
    pipeline(again, 3000, spec);
    JobGraph graph = again.getStreamGraph().getJobGraph();
    graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    JobID restored = client.submitJob(graph).get();
    assertThat(client.requestJobResult(restored).get().getJobStatus()).contains(JobStatus.FINISHED);
    // deletion vectors (the spec's default here): read by Kernel only, Standalone cannot; whether
    // epochs wrote vectors or compacted depends on the machine's speed (see above)
    assertThat(tableByKernel()).isEqualTo(expected(3000));
    assertThat(deletionVectorsEnabled()).isTrue();
    assertOneCommitPerEpoch();
  }

  /** Rows 0..n-1 as inserts, or, for the keys given, updates to a new name. */
  static final class Rows extends RichMapFunction<Long, RowData> {
    private final Set<Long> updated;

    Rows(Set<Long> updated) {
      this.updated = updated;
    }

    @Override
    public RowData map(Long id) {
      return GenericRowData.ofKind(
          updated.isEmpty() ? RowKind.INSERT : RowKind.UPDATE_AFTER,
          id,
          StringData.fromString((updated.isEmpty() ? "name-" : "new-") + id),
          DecimalData.fromBigDecimal(BigDecimal.ONE, 10, 2),
          id);
    }
  }

  @Test
  void copyOnWriteAnUpsertOfOnePercentOfKeysRewritesOnlyTheBucketsItTouches() throws Exception {
    int rows = 200_000;
    DeltaWriteSpec spec =
        DeltaWriteSpec.upsert(table(), TYPE, "it/upsert-big/table/g1", List.of("id"))
            .withProperties(
                Map.of(
                    DeltaWriteSpec.BUCKETS_PROPERTY,
                    "64",
                    DeltaWriteSpec.DELETION_VECTORS_PROPERTY,
                    "false"));
    StreamExecutionEnvironment load = StreamExecutionEnvironment.getExecutionEnvironment();
    load.setParallelism(2);
    DeltaSink.upsert(
        load.fromSequence(0, rows - 1).map(new Rows(Set.of())).returns(InternalTypeInfo.of(TYPE)),
        spec,
        "table");
    load.execute("load");

    // 1% of the keys, chosen in 4 of the 64 buckets, so the rewrite must leave 60 buckets alone
    BucketKeys keys = BucketKeys.of(spec);
    Set<Long> changed = new HashSet<>();
    for (long id = 0; changed.size() < rows / 100; id++) {
      GenericRowData key = GenericRowData.of(id, null, null, null);
      if (keys.bucket(key) < 4) {
        changed.add(id);
      }
    }
    List<Commit> before = commits();
    Map<Integer, List<String>> filesByBucket = new HashMap<>();
    for (Commit commit : before) {
      for (String add : commit.adds()) {
        filesByBucket.computeIfAbsent(BucketKeys.bucketOf(add), b -> new ArrayList<>()).add(add);
      }
    }
    assertThat(filesByBucket).hasSize(64);

    StreamExecutionEnvironment update = StreamExecutionEnvironment.getExecutionEnvironment();
    update.setParallelism(2);
    DeltaSink.upsert(
        update
            .fromCollection(changed.stream().sorted().toList())
            .map(new Rows(changed))
            .returns(InternalTypeInfo.of(TYPE)),
        spec,
        "table");
    update.execute("update");

    List<Commit> after = commits();
    assertThat(after).hasSize(before.size() + 1);
    Commit upsert = after.get(after.size() - 1);
    List<String> touchedFiles = new ArrayList<>();
    for (int bucket = 0; bucket < 4; bucket++) {
      touchedFiles.addAll(filesByBucket.get(bucket));
    }
    assertThat(upsert.removes()).containsExactlyInAnyOrderElementsOf(touchedFiles);
    assertThat(upsert.adds())
        .isNotEmpty()
        .allSatisfy(p -> assertThat(BucketKeys.bucketOf(p)).isLessThan(4));

    List<Row> table = DeltaTableReader.readAll(table());
    assertThat(table).hasSize(rows);
    assertThat(table)
        .allSatisfy(
            r ->
                assertThat(r.getField(1))
                    .isEqualTo(
                        (changed.contains((Long) r.getField(0)) ? "new-" : "name-")
                            + r.getField(0)));
  }

  @Test
  void withDeletionVectorsAnUpsertOfOnePercentOfRandomKeysWritesAFewPercentOfTheTable()
      throws Exception {
    int rows = 100_000;
    DeltaWriteSpec spec =
        DeltaWriteSpec.upsert(table(), TYPE, "it/upsert-dv/table/g1", List.of("id"))
            .withProperties(Map.of(DeltaWriteSpec.BUCKETS_PROPERTY, "16"));
    StreamExecutionEnvironment load = StreamExecutionEnvironment.getExecutionEnvironment();
    load.setParallelism(2);
    DeltaSink.upsert(
        load.fromSequence(0, rows - 1).map(new Rows(Set.of())).returns(InternalTypeInfo.of(TYPE)),
        spec,
        "table");
    load.execute("load");
    Set<String> before = new HashSet<>();
    for (Commit commit : commits()) {
      before.addAll(commit.adds());
      before.removeAll(commit.removes());
    }
    long tableBytes = bytes(before);

    // 1% of the keys, spread at random over every bucket
    Set<Long> changed = new HashSet<>();
    java.util.Random random = new java.util.Random(7);
    while (changed.size() < rows / 100) {
      changed.add((long) random.nextInt(rows));
    }
    StreamExecutionEnvironment update = StreamExecutionEnvironment.getExecutionEnvironment();
    update.setParallelism(2);
    DeltaSink.upsert(
        update
            .fromCollection(changed.stream().sorted().toList())
            .map(new Rows(changed))
            .returns(InternalTypeInfo.of(TYPE)),
        spec,
        "table");
    update.execute("update");

    List<Commit> after = commits();
    Commit upsert = after.get(after.size() - 1);
    // every bucket's file gets a deletion vector: removed and added again under the same path
    assertThat(upsert.removes()).hasSameSizeAs(before).containsExactlyInAnyOrderElementsOf(before);
    assertThat(upsert.adds()).containsAll(before);
    List<String> written = upsert.adds().stream().filter(p -> !before.contains(p)).toList();
    assertThat(written).hasSize(16); // one new file per bucket with its upserted rows
    long dvBytes;
    try (Stream<Path> files = Files.list(dir.resolve("table"))) {
      dvBytes =
          files
              .filter(p -> p.getFileName().toString().startsWith("deletion_vector_"))
              .mapToLong(p -> p.toFile().length())
              .sum();
    }
    assertThat(dvBytes).isPositive();
    assertThat(bytes(written) + dvBytes).isLessThan(tableBytes / 20); // under 5% of the table

    List<Row> table = DeltaTableReader.readAll(table());
    assertThat(table).hasSize(rows);
    assertThat(table)
        .allSatisfy(
            r ->
                assertThat(r.getField(1))
                    .isEqualTo(
                        (changed.contains((Long) r.getField(0)) ? "new-" : "name-")
                            + r.getField(0)));
  }

  private long bytes(java.util.Collection<String> relativePaths) {
    return relativePaths.stream()
        .mapToLong(p -> dir.resolve("table").resolve(p).toFile().length())
        .sum();
  }
}
