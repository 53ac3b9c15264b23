package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.kernel.Snapshot;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.read.DeltaCommitRows;
import io.tributary.runtime.delta.write.TableFileReferences;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.testing.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash suite: {@code tributary start} of a medallion-like pipeline and a CDC pipeline (one
 * pipeline file, production mode, a 500 ms trigger interval) runs as a separate process and is killed
 * with {@code kill -9} at random moments (analysis, mid micro-batch, a Delta commit, a
 * stop-with-savepoint, the gold table's overwrite, the event log's fold: wherever the seeded delay
 * lands), restarted with the same command, while new input files arrive between updates. Then:
 * every table equals, row for row, the table of a clean run over the same input (nothing lost,
 * nothing twice; read with Delta Kernel); every data commit of a streaming table has exactly one
 * {@code flow_progress} event naming its table version, whose rows are the commit's added rows less
 * its deleted ones; Delta Standalone reads the same rows as Kernel in every table without deletion
 * vectors; the event log is continuous (updates numbered without a gap, each ended, the events of
 * each without a gap); the final update leaves no lock behind.
 *
 * <p>Short form: 5 kills. Long form: {@code -Dtributary.crash.kills=50}. The seed is printed; replay
 * with {@code -Dtributary.test.seed=<seed>}.
 */
class CrashSuiteITCase {

  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final int BATCHES = 4;
  private static final List<String> STREAMING_TABLES =
      List.of(
          "bronze_orders", "silver_orders", "customer_changes", "customers", "customers_history");
  private static final List<String> TABLES =
      List.of(
          "bronze_orders",
          "silver_orders",
          "gold_customer_totals",
          "customer_changes",
          "customers",
          "customers_history");

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** Orders bronze → silver (dedup, expectations) → gold; customer changes → SCD1 and SCD2 targets. */
  public static final class Shop implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(
              AutoLoader.json(p.conf("source.orders", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount BIGINT"));
      p.streamingTable("silver_orders")
          .sql("SELECT order_id, customer_id, amount FROM STREAM(bronze_orders)")
          .dropDuplicates("order_id")
          .expectOrDrop("valid_order_id", "order_id IS NOT NULL")
          .expectOrDrop("positive_amount", "amount > 0");
      p.table("gold_customer_totals")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM silver_orders GROUP BY customer_id");
      p.streamingTable("customer_changes")
          .from(
              AutoLoader.json(p.conf("source.customers", "/none"))
                  .schema("customer_id STRING, name STRING, operation STRING, seq BIGINT"));
      p.createStreamingTable("customers");
      p.applyChanges("customers")
          .from("customer_changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation");
      p.createStreamingTable("customers_history");
      p.applyChanges("customers_history")
          .from("customer_changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation")
          .storedAsScdType(2);
    }
  }

  @Test
  void killedAndRestartedUpdatesGiveTheTablesOfACleanRunAndOneExactEventPerCommit()
      throws Exception {
    int kills = Integer.getInteger("tributary.crash.kills", 5);
    long started = System.nanoTime();
    Random rnd = random.get();
    List<Map<String, List<String>>> batches = new ArrayList<>();
    long seq = 0;
    for (int b = 0; b < BATCHES; b++) {
      Map<String, List<String>> files = new TreeMap<>();
      for (int f = 0; f < 3; f++) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
          int n = rnd.nextInt(4 * 4500); // ids repeat across files and batches: dedup state matters
          String id = rnd.nextInt(40) == 0 ? "null" : "\"o" + n + "\"";
          long amount = rnd.nextInt(10) == 0 ? -5 : 1 + rnd.nextInt(1000);
          // a repeated order id repeats the same order, so which copy is kept does not matter
          lines.add(
              "{\"order_id\":"
                  + id
                  + ",\"customer_id\":\"c"
                  + n % 97
                  + "\",\"amount\":"
                  + (id.equals("null") ? amount : (n % 10 == 0 ? -5 : 1 + n % 1000))
                  + "}");
        }
        files.put("orders/b" + b + "-part-" + f + ".json", lines);
      }
      for (int f = 0; f < 2; f++) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          int key = rnd.nextInt(200);
          String op = rnd.nextInt(8) == 0 ? "DELETE" : "UPSERT";
          lines.add(
              "{\"customer_id\":\"k"
                  + key
                  + "\",\"name\":\"n"
                  + rnd.nextInt(1000)
                  + "\",\"operation\":\""
                  + op
                  + "\",\"seq\":"
                  + (++seq)
                  + "}");
        }
        java.util.Collections.shuffle(lines, rnd); // out of sequence order within a file
        files.put("customers/b" + b + "-part-" + f + ".json", lines);
      }
      batches.add(files);
    }

    // the clean run: one update per batch, never killed
    Path clean = Files.createDirectories(dir.resolve("clean"));
    Path cleanYml = pipelineFile(clean);
    List<Long> durations = new ArrayList<>();
    for (Map<String, List<String>> batch : batches) {
      arrive(clean, batch);
      long t = System.nanoTime();
      CliProcess.Result result = CliProcess.run(clean, TIMEOUT, "start", cleanYml.toString());
      assertThat(result.code()).as(result.toString()).isZero();
      durations.add((System.nanoTime() - t) / 1_000_000);
    }
    long meanMillis = durations.stream().mapToLong(Long::longValue).sum() / durations.size();

    // the crashed run: the same batches, updates killed at random moments and started again
    Path crashed = Files.createDirectories(dir.resolve("crashed"));
    Path crashedYml = pipelineFile(crashed);
    // the batches' arrivals and the kills, interleaved at random; the first batch arrives first
    List<Boolean> plan =
        new ArrayList<>(); // true: a batch arrives and an update runs; false: a kill
    for (int i = 0; i < kills; i++) {
      plan.add(false);
    }
    for (int b = 1; b < BATCHES; b++) {
      plan.add(true);
    }
    java.util.Collections.shuffle(plan, rnd);
    plan.add(0, true);
    int arrived = 0;
    List<String> history = new ArrayList<>();
    for (boolean arrival : plan) {
      if (arrival) {
        arrive(crashed, batches.get(arrived++));
        history.add("batch " + arrived + " arrives");
        CliProcess.Result result = CliProcess.run(crashed, TIMEOUT, "start", crashedYml.toString());
        assertThat(result.code()).as("update after %s: %s", history, result).isZero();
        history.add("completed");
        continue;
      }
      while (true) { // an update that ends before its kill is one more completed update
        CliProcess run = CliProcess.start(crashed, "start", crashedYml.toString());
        long delay = (long) (rnd.nextDouble() * meanMillis * 1.2);
        long deadline = System.nanoTime() + delay * 1_000_000;
        while (run.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        if (run.isAlive()) {
          run.kill9();
          history.add("kill -9 after " + delay + " ms");
          Thread.sleep(3_500); // the lease (3 s) of the dead process runs out
          break;
        }
        CliProcess.Result result = run.await(TIMEOUT);
        assertThat(result.code()).as("update after %s: %s", history, result).isZero();
        history.add("completed before its kill at " + delay + " ms");
      }
    }
    CliProcess.Result last = CliProcess.run(crashed, TIMEOUT, "start", crashedYml.toString());
    assertThat(last.code()).as(last.toString()).isZero();
    history.add("final update completed");
    System.out.println("Crash suite (seed " + random.seed() + "): " + history);

    for (String table : TABLES) {
      assertThat(rows(crashed, table))
          .as("table %s after %s", table, history)
          .isEqualTo(rows(clean, table));
    }
    assertThat(rows(clean, "silver_orders")).as("the input made rows").hasSizeGreaterThan(1000);
    assertThat(rows(clean, "customers_history"))
        .hasSizeGreaterThan(rows(clean, "customers").size());
    for (String table : TABLES) {
      assertStandaloneReadsWhatKernelReads(crashed.resolve("storage/tables").resolve(table));
    }
    for (Path storage : List.of(clean, crashed)) {
      assertOneExactEventPerDataCommit(storage.resolve("storage"), history);
      assertEventLogContinuous(storage.resolve("storage"), history);
      assertThat(storage.resolve("storage/_tributary/lock"))
          .as("no lock after the final update")
          .doesNotExist();
    }
    // no orphan file that `tributary maintain` would not clean: with the retention forced to 0,
    // maintain leaves in each table's folder only what its latest snapshot uses (a killed epoch's
    // files included)
    CliProcess.Result maintain =
        CliProcess.run(
            crashed,
            TIMEOUT,
            "maintain",
            crashedYml.toString(),
            "--retain-hours",
            "0",
            "--force-retention");
    assertThat(maintain.code()).as(maintain.toString()).isZero();
    for (String table : TABLES) {
      assertThat(filesBeyondTheSnapshot(crashed.resolve("storage/tables").resolve(table)))
          .as(
              "files of %s neither its latest snapshot uses nor maintain deleted, after %s",
              table, history)
          .isEmpty();
      assertThat(rows(crashed, table))
          .as("table %s after maintain", table)
          .isEqualTo(rows(clean, table));
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000;
    System.out.println(
        "Crash suite: "
            + kills
            + " kills in "
            + seconds
            + " s; clean updates took "
            + durations
            + " ms");
  }

  private Path pipelineFile(Path folder) throws Exception {
    Files.createDirectories(folder.resolve("input/orders"));
    Files.createDirectories(folder.resolve("input/customers"));
    return Files.writeString(
        folder.resolve("pipeline.yml"),
        "name: crash\nstorage: storage\nlibraries:\n  - "
            + Shop.class.getName()
            + "\nconfiguration:\n  source.orders: "
            + folder.resolve("input/orders")
            + "\n  source.customers: "
            + folder.resolve("input/customers")
            + "\n  pipelines.lock.leaseDuration: 3 s\n  pipelines.lock.heartbeatInterval: 500 ms\n"
            + "continuous: false\ndevelopment: false\ntrigger:\n  interval: 500 ms\nflink:\n  parallelism: 2\n");
  }

  /** Moves a batch's files into the input folders, each written under a hidden name first. */
  private static void arrive(Path folder, Map<String, List<String>> batch) throws Exception {
    for (Map.Entry<String, List<String>> file : batch.entrySet()) {
      Path target = folder.resolve("input").resolve(file.getKey());
      Path hidden = target.resolveSibling("_" + target.getFileName());
      Files.writeString(hidden, String.join("\n", file.getValue()) + "\n");
      Files.move(hidden, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static List<String> rows(Path folder, String table) {
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> row :
        PipelineTables.open(folder.resolve("storage").toString()).table(table).rowsAsMaps()) {
      rows.add(new TreeMap<>(row).toString());
    }
    rows.sort(null);
    return rows;
  }

  /**
   * The files in a table's folder, outside {@code _delta_log}, that its latest snapshot does not use; a
   * Hadoop local checksum file ({@code .NAME.crc}) counts as used when its file {@code NAME} is.
   */
  private static List<String> filesBeyondTheSnapshot(Path table) throws IOException {
    Engine engine = DefaultEngine.create(new Configuration());
    Snapshot snapshot = KernelSnapshotScan.snapshot(engine, table.toString(), -1);
    Set<String> live =
        TableFileReferences.liveFiles(
            engine, table.toString(), snapshot, new org.apache.hadoop.fs.Path(table.toUri()));
    try (var files = Files.walk(table)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !table.relativize(f).startsWith("_delta_log"))
          .filter(
              f ->
                  !live.contains(
                      TableFileReferences.key(
                          new org.apache.hadoop.fs.Path(checksummed(f).toUri()))))
          .map(Path::toString)
          .sorted()
          .toList();
    }
  }

  /** The file a Hadoop local checksum file {@code .NAME.crc} is the checksum of; any other file itself. */
  private static Path checksummed(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".crc")
        ? file.resolveSibling(name.substring(1, name.length() - ".crc".length()))
        : file;
  }

  /**
   * A table without deletion vectors opens with Delta Standalone too (the other reader of the Delta
   * protocol the pipeline promises), with the rows Kernel reads; a table with them is Kernel's only.
   */
  private static void assertStandaloneReadsWhatKernelReads(Path table) throws IOException {
    Engine engine = DefaultEngine.create(new Configuration());
    boolean deletionVectors =
        "true"
            .equalsIgnoreCase(
                KernelSnapshotScan.snapshot(engine, table.toString(), -1)
                    .getTableProperties()
                    .getOrDefault(
                        io.tributary.runtime.delta.write.DeltaWriteSpec.DELETION_VECTORS_PROPERTY,
                        "false"));
    if (deletionVectors) {
      return; // protocol (3, 7) with deletion vectors: Delta Standalone refuses to open it
    }
    io.delta.standalone.Snapshot standalone =
        io.delta.standalone.DeltaLog.forTable(new Configuration(), table.toString()).update();
    long rows = 0;
    try (var records = standalone.open()) {
      while (records.hasNext()) {
        records.next();
        rows++;
      }
    }
    long kernelRows =
        PipelineTables.open(table.getParent().getParent().toString())
            .table(table.getFileName().toString())
            .rowsAsMaps()
            .size();
    assertThat(rows).as("rows of %s read with Delta Standalone", table).isEqualTo(kernelRows);
  }

  /**
   * The event log is continuous: the updates are numbered 1..n without a gap, each ended (a killed
   * one closed by the next as FAILED, saying it ended without closing), every event belongs to one of
   * them, and within
   * each update the events' ranks run 1, 2, 3... without a gap (a killed process loses only the event
   * it was writing, never one before it).
   */
  private static void assertEventLogContinuous(Path storage, List<String> history)
      throws IOException {
    Path records = storage.resolve("_tributary/updates");
    Map<Long, Path> files = new TreeMap<>();
    try (var listed = Files.list(records)) {
      listed
          .filter(f -> f.getFileName().toString().matches("[0-9]+\\.json"))
          .forEach(
              f -> {
                String name = f.getFileName().toString();
                files.put(Long.parseLong(name.substring(0, name.length() - ".json".length())), f);
              });
    }
    List<Long> numbers = List.copyOf(files.keySet());
    assertThat(numbers).as("update records in %s after %s", storage, history).isNotEmpty();
    assertThat(numbers.get(numbers.size() - 1))
        .as("update numbers without a gap: %s", numbers)
        .isEqualTo((long) numbers.size());
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (Map.Entry<Long, Path> file : files.entrySet()) {
      JsonNode record = json.readTree(file.getValue().toFile());
      assertThat(record.path("state").asText())
          .as("update %d's record in %s after %s", file.getKey(), storage, history)
          .isIn("COMPLETED", "FAILED", "STOPPED");
      if (record.path("ended_without_closing").asBoolean(false)) {
        assertThat(record.path("error").asText()).contains("ended without closing");
      }
    }
    List<Event> events =
        EventLog.of(PipelineStorage.at(storage.toString(), new Configuration())).events();
    Map<Long, List<Long>> ranks = new TreeMap<>();
    for (Event event : events) {
      ranks
          .computeIfAbsent(event.sequence() / Event.SEQUENCES_PER_UPDATE, n -> new ArrayList<>())
          .add(event.sequence() % Event.SEQUENCES_PER_UPDATE);
    }
    // an update killed before its first event has none; no event belongs to an update without a
    // record
    assertThat(numbers).as("updates with events in %s", storage).containsAll(ranks.keySet());
    ranks.forEach(
        (number, ofUpdate) -> {
          List<Long> sorted = ofUpdate.stream().sorted().toList();
          long first = sorted.get(0);
          for (int i = 0; i < sorted.size(); i++) {
            assertThat(sorted.get(i))
                .as("event ranks of update %d in %s: %s", number, storage, sorted)
                .isEqualTo(first + i);
          }
        });
  }

  /**
   * Every data commit of every streaming table has exactly one flow_progress event naming its table
   * version, with the commit's added rows less its deleted rows; no event names a version that is
   * not such a commit.
   */
  private static void assertOneExactEventPerDataCommit(Path storage, List<String> history) {
    List<Event> events =
        EventLog.of(PipelineStorage.at(storage.toString(), new Configuration())).events();
    for (String table : STREAMING_TABLES) {
      Map<Long, Long> committed = new TreeMap<>();
      for (DeltaCommitRows.Commit commit :
          DeltaCommitRows.read(
              storage.resolve("tables").resolve(table).toString(), new Configuration())) {
        if (commit.appId().isPresent() && commit.adds() + commit.removes() > 0) {
          committed.put(commit.version(), commit.addedRows() - commit.deletedRows());
        }
      }
      Map<Long, List<Long>> logged = new TreeMap<>();
      for (Event event : events) {
        JsonNode progress = event.detailsJson().path("flow_progress");
        if (event.level() == Event.Level.METRICS
            && event.origin().dataset().orElse("").equals(table)
            && progress.has("table_version")) {
          logged
              .computeIfAbsent(progress.path("table_version").asLong(), v -> new ArrayList<>())
              .add(progress.path("metrics").path("num_output_rows").asLong());
        }
      }
      Map<Long, List<Long>> expected = new TreeMap<>();
      committed.forEach((version, rows) -> expected.put(version, List.of(rows)));
      assertThat(logged)
          .as(
              "flow_progress events of %s in %s (table version -> rows), after %s",
              table, storage, history)
          .isEqualTo(expected);
      assertThat(committed).as("%s has data commits", table).isNotEmpty();
    }
  }
}
