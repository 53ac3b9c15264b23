package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.storage.StorageErrors;
import io.tributary.runtime.testing.GuardedFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus's two storage cases: a storage folder that is not writable and a disk that
 * fills up. The storage is {@link GuardedFileSystem} (the local disk with those faults: tests may run
 * as root, whom {@code chmod} does not stop, and mounting a small tmpfs needs privileges a CI runner
 * has not), for the pipeline's Hadoop settings and for Flink's checkpoints alike. Each case: an update
 * completes, the fault appears with new input, the update fails with an error naming the file and what
 * to do, the table is unchanged (Delta Kernel reads the same version and rows), and once the fault is
 * removed the next update reads the new input exactly once.
 */
class StorageFaultsITCase {

  private static final String PASSWORD = "storage-faults-password";

  private static EmbeddedCluster cluster;

  @TempDir Path dir;

  @org.junit.jupiter.api.extension.RegisterExtension
  final io.tributary.runtime.testing.SeededRandom random =
      new io.tributary.runtime.testing.SeededRandom();

  /** Orders from JSON files into one streaming table. */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount BIGINT"));
    }
  }

  @BeforeAll
  static void startCluster() {
    Configuration flink = new Configuration();
    GuardedFileSystem.settings(PASSWORD)
        .forEach((key, value) -> flink.setString("flink.hadoop." + key, value));
    // the caught-up gauges a remote executor reads over REST, fresh within 0.2 s
    flink.setString("metrics.fetcher.update-interval", "200 ms");
    FileSystem.initialize(flink, null);
    cluster = EmbeddedCluster.start(2, flink);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
    FileSystem.initialize(new Configuration(), null);
  }

  @AfterEach
  void repair() throws Exception {
    GuardedFileSystem.repair();
    org.apache.flink.runtime.minicluster.MiniCluster mini = miniCluster();
    for (org.apache.flink.runtime.client.JobStatusMessage job : mini.listJobs().get()) {
      if (!job.getJobState().isGloballyTerminalState()) {
        System.out.println("LEFT RUNNING: " + job.getJobName() + " " + job.getJobState());
        mini.cancelJob(job.getJobId()).get();
      }
    }
  }

  private static org.apache.flink.runtime.minicluster.MiniCluster miniCluster() throws Exception {
    java.lang.reflect.Field field = EmbeddedCluster.class.getDeclaredField("cluster");
    field.setAccessible(true);
    return (org.apache.flink.runtime.minicluster.MiniCluster) field.get(cluster);
  }

  @Test
  void aStorageFolderThatIsNotWritableFailsNamingTheFileAndLeavesTheTableForTheNextUpdate()
      throws Exception {
    Path storage = dir.resolve("storage");
    arrive("b1", 1, 50);
    assertThat(update().state()).isEqualTo(UpdateState.COMPLETED);
    long version = DeltaTableReader.version(table());
    List<Row> before = DeltaTableReader.readAll(table());

    arrive("b2", 51, 100);
    GuardedFileSystem.refuseWrites(storage);
    Throwable failed = org.assertj.core.api.Assertions.catchThrowable(this::update);
    System.out.println("NOT WRITABLE: " + failed);

    assertThat(failed).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(StorageErrors.explain(failed.getMessage(), failed))
        .isEqualTo(
            "Cannot create "
                + GuardedFileSystem.uri(storage.resolve("_tributary/lock"))
                + ": "
                + storage
                + "/_tributary/lock: Permission denied. "
                + StorageErrors.NOT_WRITABLE);
    assertThat(DeltaTableReader.version(table())).isEqualTo(version);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(before);

    GuardedFileSystem.repair();
    UpdateResult next = update();
    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(rows(1, 100));
  }

  /**
   * Storage that stops taking writes while a flow runs fails the flow, and then refuses its FAILED event
   * and the update's record too: the update still fails with the flow's failure as its message (the
   * refusal to record it after), never with the event log's refusal alone.
   */
  @Test
  void aFailureTheStorageRefusesToRecordIsStillTheOneReported() throws Exception {
    Path storage = dir.resolve("storage");
    arrive("b1", 1, 50);
    assertThat(update().state()).isEqualTo(UpdateState.COMPLETED);
    long version = DeltaTableReader.version(table());
    arrive("b2", 51, 100);
    Tributary.Builder builder =
        builder()
            .cluster(cluster)
            .listener(
                (dataset, state, detail) -> {
                  if (state == io.tributary.runtime.FlowState.RUNNING) {
                    GuardedFileSystem.refuseWrites(
                        storage); // the table, checkpoints, events, record
                  }
                });

    Throwable failed = org.assertj.core.api.Assertions.catchThrowable(builder::run);
    System.out.println("NOT RECORDED: " + failed);

    assertThat(failed).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(failed.getMessage())
        .as("how the update ended comes first")
        .matches("(?s)(Flow 'orders' failed: |Update 2 of pipeline 'faults' ended FAILED: ).*")
        .contains("; writing that to the pipeline's ");
    assertThat(DeltaTableReader.version(table())).isEqualTo(version);
    GuardedFileSystem.repair();
    Thread.sleep(3_500); // the lock the failed update could not delete is stale after its 3 s lease
    UpdateResult next = update();
    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(rows(1, 100));
  }

  @Test
  void aDiskThatFillsUpFailsNamingTheFileAndLeavesTheTableForTheNextUpdate() throws Exception {
    arrive("b1", 1, 50);
    assertThat(update().state()).isEqualTo(UpdateState.COMPLETED);
    long version = DeltaTableReader.version(table());
    List<Row> before = DeltaTableReader.readAll(table());

    arrive("b2", 51, 100);
    GuardedFileSystem.fillUpAfter(Path.of(table()), 0);
    UpdateResult failed = update();
    System.out.println("DISK FULL: " + failed);

    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.flows())
        .singleElement()
        .satisfies(
            flow -> {
              assertThat(flow.dataset()).isEqualTo("orders");
              assertThat(flow.error()).hasValue("No space left on device. " + StorageErrors.FULL);
            });
    assertThat(DeltaTableReader.version(table())).isEqualTo(version);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(before);

    GuardedFileSystem.repair();
    UpdateResult next = update();
    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(rows(1, 100));
  }

  /**
   * The table's disk fills up exactly at the Delta commit a stop-with-savepoint makes (the savepoint is
   * written, its epoch's data files too, then the committer's write of the Delta log fails): the
   * update fails with the disk's error and the hint, not with Flink's "A savepoint has been created at
   * …, but the corresponding job failed during stopping"; the table is unchanged, and the next update
   * with room commits the input exactly once.
   */
  @Test
  void aDiskFillingUpAtTheStopsDeltaCommitIsReportedWithTheDisksErrorAndTheHint() throws Exception {
    diskFillingUpAtTheStopsDeltaCommit(builder -> builder.cluster(cluster));
  }

  /**
   * The same through {@link io.tributary.runtime.remote.RemoteExecutor}, which reads the job's failure
   * from the cluster's REST API (its exception history): the embedded cluster's endpoint serves it.
   */
  @Test
  void onARemoteClusterADiskFillingUpAtTheStopsDeltaCommitIsReportedWithTheDisksErrorAndTheHint()
      throws Exception {
    try (io.tributary.runtime.remote.RemoteExecutor remote =
        io.tributary.runtime.remote.RemoteExecutor.connect(
            "127.0.0.1:" + cluster.restAddress().getPort(), List.of())) {
      diskFillingUpAtTheStopsDeltaCommit(builder -> builder.executor(remote));
    }
  }

  private void diskFillingUpAtTheStopsDeltaCommit(
      java.util.function.UnaryOperator<Tributary.Builder> on) throws Exception {
    arrive("b1", 1, 50);
    assertThat(update().state()).isEqualTo(UpdateState.COMPLETED);
    long version = DeltaTableReader.version(table());
    List<Row> before = DeltaTableReader.readAll(table());

    arrive("b2", 51, 100);
    // no periodic checkpoint before the stop: the stop's savepoint is the epoch's only commit
    GuardedFileSystem.fillUpAfter(Path.of(table(), "_delta_log"), 0);
    long refusedBefore = GuardedFileSystem.refusedWrites();
    UpdateResult failed = on.apply(builder().triggerInterval(Duration.ofMinutes(10))).run();
    System.out.println("DISK FULL AT THE STOP'S COMMIT: " + failed);

    assertThat(GuardedFileSystem.refusedWrites())
        .as("the commit met the full disk")
        .isGreaterThan(refusedBefore);
    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.flows())
        .singleElement()
        .satisfies(
            flow -> {
              assertThat(flow.dataset()).isEqualTo("orders");
              assertThat(flow.error())
                  .as("the disk's error and the hint, not Flink's report of the stop")
                  .hasValue("No space left on device. " + StorageErrors.FULL);
            });
    assertThat(failed.error())
        .hasValueSatisfying(
            error ->
                assertThat(error)
                    .contains("No space left on device")
                    .doesNotContain("failed during stopping"));
    assertThat(DeltaTableReader.version(table())).isEqualTo(version);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(before);

    GuardedFileSystem.repair();
    UpdateResult next = update();
    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(table())).containsExactlyInAnyOrderElementsOf(rows(1, 100));
  }

  /**
   * The whole storage's disk fills up at seeded points of an update (its record, the event journal, a
   * checkpoint, a data file, a Delta commit, the savepoint: wherever the budget runs out). Each time the
   * update ends (failed with the hint, or completed if the room sufficed), the table holds each row at
   * most once, and once there is room the next update brings it to exactly the input. Each update
   * starts an embedded cluster of its own, as {@code tributary start} does: a Delta writer whose
   * {@code close()} fails on the full disk while its task is already failing is a fatal error for
   * Flink, which ends the TaskManager (of a shared cluster too; reported to the writer's owners).
   */
  @Test
  void aWholeStorageFillingUpAnywhereInAnUpdateLosesAndDuplicatesNothing() throws Exception {
    Path storage = dir.resolve("storage");
    java.util.Random rnd = random.get();
    arrive("b0", 1, 20);
    assertThat(updateOnItsOwnCluster().state()).isEqualTo(UpdateState.COMPLETED);
    int rows = 20;
    for (int round = 1; round <= 4; round++) {
      arrive("b" + round, rows + 1, rows + 20);
      rows += 20;
      long budget = rnd.nextInt(48 * 1024);
      GuardedFileSystem.fillUpAfter(storage, budget);
      UpdateResult result;
      try {
        result = updateOnItsOwnCluster();
      } catch (java.io.UncheckedIOException beforeTheUpdateRan) {
        assertThat(StorageErrors.hint(beforeTheUpdateRan))
            .as("round %d, %d bytes: %s", round, budget, beforeTheUpdateRan)
            .hasValue(StorageErrors.FULL);
        beforeTheUpdateRan.printStackTrace(System.out);
        result = null;
      }
      System.out.println("round " + round + ", room for " + budget + " bytes: " + result);
      if (result != null && result.state() != UpdateState.COMPLETED) {
        assertThat(result.error())
            .as("round %d, %d bytes", round, budget)
            .hasValueSatisfying(e -> assertThat(e).endsWith(StorageErrors.FULL));
      }
      List<Row> now = DeltaTableReader.readAll(table());
      assertThat(now).as("round %d: no row twice", round).doesNotHaveDuplicates();
      assertThat(rows(1, rows)).containsAll(now);

      GuardedFileSystem.repair();
      UpdateResult next = updateOnItsOwnCluster();
      assertThat(next.state())
          .as("round %d, after the disk had room again: %s", round, next.error())
          .isEqualTo(UpdateState.COMPLETED);
      assertThat(DeltaTableReader.readAll(table()))
          .as("round %d", round)
          .containsExactlyInAnyOrderElementsOf(rows(1, rows));
    }
  }

  private String table() {
    return dir.resolve("storage/tables/orders").toString();
  }

  private UpdateResult update() {
    return builder().cluster(cluster).run();
  }

  private UpdateResult updateOnItsOwnCluster() {
    return builder().run();
  }

  private Tributary.Builder builder() {
    return Tributary.pipeline(new Orders())
        .name("faults")
        .storage(GuardedFileSystem.uri(dir.resolve("storage")))
        .configuration(
            Map.of(
                "source",
                dir.resolve("input").toString(),
                // a lock left by an update that could not delete it is stale after 3 s, not a
                // minute
                "pipelines.lock.leaseDuration",
                "3 s",
                "pipelines.lock.heartbeatInterval",
                "1 s"))
        .hadoopConfiguration(hadoop())
        .parallelism(1)
        .triggerInterval(Duration.ofSeconds(1))
        .development(true);
  }

  private static org.apache.hadoop.conf.Configuration hadoop() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    GuardedFileSystem.settings(PASSWORD).forEach(conf::set);
    return conf;
  }

  private void arrive(String name, int from, int to) throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    StringBuilder lines = new StringBuilder();
    for (int i = from; i <= to; i++) {
      lines.append("{\"order_id\":\"o").append(i).append("\",\"amount\":").append(i).append("}\n");
    }
    Path temp = input.resolve("_" + name + ".json");
    Files.writeString(temp, lines);
    Files.move(temp, input.resolve(name + ".json"));
  }

  private static List<Row> rows(int from, int to) {
    List<Row> rows = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      rows.add(Row.of("o" + i, (long) i));
    }
    return rows;
  }
}
