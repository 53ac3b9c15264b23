package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.GuardedFileSystem;
import io.tributary.runtime.testing.SeededRandom;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures injected into a running continuous update in production mode (an exception at a random
 * record, a checkpoint that times out, checkpoint storage that fails writes, another writer of a table),
 * each recovering (Flink restarts the job from its last checkpoint, as production mode's restart strategy
 * says) to exactly-once output: the tables hold the rows of a clean run, each once, and every commit has
 * one flow_progress event with its rows.
 */
class ContinuousFailureInjectionITCase {

  private static final Logger LOG = LoggerFactory.getLogger(ContinuousFailureInjectionITCase.class);
  private static final int FILES = 5;
  private static final int ROWS_PER_FILE = 200;
  private static final Duration TIMEOUT =
      Duration.ofMinutes(6); // a loaded machine (load 35) is slow

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /**
   * The user's function: passes its argument through; throws once at row {@code FAIL_AT}; sleeps
   * {@code SLOW_MILLIS} at each of the first {@code SLOW_ROWS} rows. Counts its openings (one per run of
   * its task, so more than one means the job failed over).
   */
  public static final class Injected extends ScalarFunction {
    static final AtomicInteger ROWS = new AtomicInteger();
    static final AtomicInteger FAIL_AT = new AtomicInteger(-1);
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger SLOW_ROWS = new AtomicInteger();
    static final AtomicInteger OPENED = new AtomicInteger();
    static final int SLOW_MILLIS = 25_000;

    @Override
    public void open(FunctionContext context) {
      OPENED.incrementAndGet();
    }

    public String eval(String value) throws InterruptedException {
      int row = ROWS.incrementAndGet();
      if (row == FAIL_AT.get() && FAILURES.getAndIncrement() == 0) {
        throw new IllegalStateException("injected failure at row " + row);
      }
      if (SLOW_ROWS.getAndDecrement() > 0) {
        Thread.sleep(SLOW_MILLIS);
      }
      return value;
    }
  }

  /** raw from Auto Loader; checked streams raw through the user's function and an expectation. */
  public static final class Checked implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("raw")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("id BIGINT, name STRING"));
      p.streamingTable("checked")
          .query(
              ctx -> {
                TableEnvironment env = ctx.tableEnvironment();
                if (!Arrays.asList(env.listUserDefinedFunctions()).contains("injected")) {
                  env.createTemporarySystemFunction("injected", Injected.class);
                }
                return ctx.readStream("raw")
                    .select($("id"), call("injected", $("name")).as("name"));
              })
          .expectOrDrop("positive_id", "id > 0");
    }
  }

  @BeforeEach
  void reset() {
    Injected.ROWS.set(0);
    Injected.FAIL_AT.set(-1);
    Injected.FAILURES.set(0);
    Injected.SLOW_ROWS.set(0);
    Injected.OPENED.set(0);
  }

  @Test
  void anExceptionAtARandomRecordOfAUserQueryRecoversToExactlyOnceOutput() throws Exception {
    int failAt = 1 + random.get().nextInt(FILES * ROWS_PER_FILE);
    LOG.info("Failing the user's function at row {}", failAt);
    Injected.FAIL_AT.set(failAt);

    runToTheEnd(Map.of(), Set.of());

    assertThat(Injected.FAILURES.get())
        .as("the failure at row %s was injected", failAt)
        .isPositive();
    assertThat(Injected.OPENED.get()).as("the job failed over").isGreaterThan(1);
  }

  @Test
  void aCheckpointThatTimesOutFailsTheJobWhichRecoversToExactlyOnceOutput() throws Exception {
    Injected.SLOW_ROWS.set(
        1); // the first row holds the barrier 25 s, past a 10 s checkpoint timeout

    runToTheEnd(Map.of("execution.checkpointing.timeout", "10 s"), Set.of());

    assertThat(Injected.OPENED.get())
        .as("the expired checkpoint failed the job over")
        .isGreaterThan(1);
  }

  @Test
  void checkpointStorageThatFailsWritesFailsTheJobWhichRecoversToExactlyOnceOutput()
      throws Exception {
    // the job's checkpoints go to a file system whose disk is full until the job has failed over
    Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
    org.apache.flink.configuration.Configuration flink =
        new org.apache.flink.configuration.Configuration();
    GuardedFileSystem.settings("checkpoint-storage-password")
        .forEach((key, value) -> flink.setString("flink.hadoop." + key, value));
    FileSystem.initialize(flink, null);
    long refusedBefore = GuardedFileSystem.refusedWrites();
    GuardedFileSystem.fillUpAfter(checkpoints, 0);
    Thread repair =
        new Thread(
            () -> {
              try {
                Await.until(
                    "a checkpoint on the full disk failed the job over",
                    TIMEOUT,
                    () -> Injected.OPENED.get() > 1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                GuardedFileSystem.repair();
              }
            },
            "repair-checkpoint-storage");
    repair.setDaemon(true);
    repair.start();
    try {
      runToTheEnd(
          Map.of("execution.checkpointing.dir", GuardedFileSystem.uri(checkpoints)), Set.of());
    } finally {
      GuardedFileSystem.repair();
      FileSystem.initialize(new org.apache.flink.configuration.Configuration(), null);
    }

    assertThat(GuardedFileSystem.refusedWrites())
        .as("checkpoint writes refused by the full disk")
        .isGreaterThan(refusedBefore);
    assertThat(Injected.OPENED.get())
        .as("the failed checkpoint failed the job over")
        .isGreaterThan(1);
  }

  @Test
  void anotherWriterCommittingToTheSameTableMeanwhileIsNeitherLostNorDuplicated() throws Exception {
    Path table = dir.resolve("storage/tables/raw");
    String other = "another-writer";
    List<Row> otherRows = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread writer =
        new Thread(
            () -> {
              try {
                Await.until(
                    "the pipeline created raw",
                    TIMEOUT,
                    () -> Files.exists(table.resolve("_delta_log/00000000000000000000.json")));
                RowType type = DeltaTableReader.schema(table.toString()).orElseThrow();
                Configuration conf = new Configuration();
                DeltaTableCommitter committer =
                    new DeltaTableCommitter(
                        DefaultEngine.create(conf),
                        DeltaWriteSpec.append(table.toString(), type, other));
                for (int commit = 1; commit <= 10; commit++) {
                  List<DeltaDataFile> files;
                  List<Row> rows = new ArrayList<>();
                  try (DeltaFileWriter out =
                      new DeltaFileWriter(table.toString(), type, List.of(), 1 << 20, conf, 9)) {
                    for (int i = 0; i < 10; i++) {
                      Row row = Row.of(-(commit * 100L + i), "other");
                      out.write(DeltaTestSupport.internal(type, row));
                      rows.add(row);
                    }
                    files = out.closeAll();
                  }
                  if (committer.commit(commit, files, false).isEmpty()) {
                    throw new IllegalStateException(
                        "commit " + commit + " of the other writer was taken as committed");
                  }
                  otherRows.addAll(rows);
                  Thread.sleep(150);
                }
              } catch (Throwable e) {
                LOG.error("The other writer failed", e);
                failures.add(e);
              }
            },
            "another-writer");
    writer.start();

    runToTheEnd(
        Map.of(),
        Set.of(other),
        () -> {
          writer.join(TIMEOUT.toMillis());
          assertThat(failures).as("the other writer's commits").isEmpty();
          assertThat(otherRows).hasSize(100);
        },
        otherRows);
  }

  private interface Step {
    void run() throws Exception;
  }

  private void runToTheEnd(Map<String, String> flinkOptions, Set<String> otherApps)
      throws Exception {
    runToTheEnd(flinkOptions, otherApps, () -> {}, List.of());
  }

  /**
   * Runs a continuous update while the input arrives in {@link #FILES} files, waits for every row in
   * both tables, stops it, and checks the rows (with {@code extraRaw}, another writer's, in raw) and the
   * events (those of {@code otherApps}' commits aside).
   */
  private void runToTheEnd(
      Map<String, String> flinkOptions,
      Set<String> otherApps,
      Step beforeChecks,
      List<Row> extraRaw)
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Path storage = dir.resolve("storage");
    List<Row> expected = new ArrayList<>();
    Tributary.Builder builder =
        Tributary.pipeline(new Checked())
            .name("shop")
            .storage(storage.toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(1)
            .triggerInterval(Duration.ofMillis(400))
            .continuous(true)
            .development(false)
            .cluster(CLUSTER.cluster()); // production: Flink restarts a failed job
    for (Map.Entry<String, String> option : flinkOptions.entrySet()) {
      builder = builder.flinkOption(option.getKey(), option.getValue());
    }
    RunningUpdate running = builder.start();
    try {
      for (int file = 0; file < FILES; file++) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= ROWS_PER_FILE; i++) {
          long id = file * ROWS_PER_FILE + i;
          lines.append("{\"id\":").append(id).append(",\"name\":\"n").append(id).append("\"}\n");
          expected.add(Row.of(id, "n" + id));
        }
        Path hidden = input.resolve("_part-" + file + ".json");
        Files.writeString(hidden, lines);
        Files.move(hidden, input.resolve("part-" + file + ".json"));
        Thread.sleep(300);
      }
      try {
        Await.until(
            "every row in checked and raw",
            TIMEOUT,
            Duration.ofMillis(250),
            () ->
                polled(storage, "checked") >= expected.size()
                    && polled(storage, "raw") >= expected.size() + extraRaw.size());
      } catch (AssertionError e) {
        throw new AssertionError(running.events().toString(), e);
      }
      assertThat(running.state())
          .as("the update recovered: %s", running.events())
          .isEqualTo(UpdateState.RUNNING);
      beforeChecks.run();
      running.stop();
      assertThat(running.await().state()).isEqualTo(UpdateState.STOPPED);
    } finally {
      if (running.state()
          == UpdateState.RUNNING) { // a failed check leaves no job running into the next test
        running.stop();
        running.await();
      }
    }
    assertThat(read(storage, "checked")).containsExactlyInAnyOrderElementsOf(expected);
    List<Row> raw = new ArrayList<>(expected);
    raw.addAll(extraRaw);
    assertThat(read(storage, "raw")).containsExactlyInAnyOrderElementsOf(raw);
    ExactlyOnceChecks.assertOneExactEventPerDataCommit(
        storage, List.of("raw", "checked"), otherApps);
  }

  /**
   * The rows of {@code table} while it is written: -1 when a read races a commit's checkpoint files
   * (Hadoop's local checksums of {@code _last_checkpoint}), which the next poll reads again.
   */
  private static int polled(Path storage, String table) {
    try {
      return read(storage, table).size();
    } catch (RuntimeException e) {
      LOG.info("Reading {} while it is written failed; polling again: {}", table, e.toString());
      return -1;
    }
  }

  private static List<Row> read(Path storage, String table) {
    Path path = storage.resolve("tables").resolve(table);
    return Files.exists(path.resolve("_delta_log/00000000000000000000.json"))
        ? DeltaTableReader.readAll(path.toString())
        : List.of();
  }
}
