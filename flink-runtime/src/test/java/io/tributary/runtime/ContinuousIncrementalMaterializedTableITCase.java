package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.SeededRandom;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incremental materialized table in a continuous update (issue 16): gold, a GROUP BY over silver,
 * is maintained by a streaming job that runs beside silver's for the whole update, reading silver's
 * new versions and applying its changelog to gold by key, not recomputed by a BATCH job at each new
 * version of silver. After every landing of files, late and out-of-order rows included, gold equals
 * a complete recompute of the rows landed so far; the stop saves its state, which the next triggered
 * update continues incrementally. A gold whose input table does not exist yet waits for it.
 */
class ContinuousIncrementalMaterializedTableITCase {

  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The job that maintains gold, whose state the storage keeps under its name. */
  private static final String GOLD_JOB = "table_gold";

  /** Within this of the recompute: SUM and AVG of DOUBLEs depend on the order rows are added. */
  private static final double TOLERANCE = 1e-6;

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER =
      new TributaryClusterExtension(4, new Configuration());

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** bronze (Auto Loader JSON) -> silver (drops non-positive amounts) -> gold (per customer). */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE, ts BIGINT"));
      p.streamingTable("silver").from("bronze").expectOrDrop("positive_amount", "amount > 0");
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total, MIN(amount) AS low,"
                  + " MAX(amount) AS high, AVG(amount) AS mean, MIN(ts) AS first_ts FROM silver"
                  + " GROUP BY customer_id");
    }
  }

  private record Order(String id, String customer, double amount, long ts) {}

  private final List<Order> orders = new ArrayList<>();
  private int files;

  @Test
  void goldIsMaintainedByAStreamingJobAndTheNextTriggeredUpdateContinuesFromItsState()
      throws Exception {
    land(2, 20, false);
    RunningUpdate running = builder().continuous(true).start();
    awaitGoldEqualsRecompute(running, "first files");
    land(1, 15, true); // late: timestamps older than every row so far
    awaitGoldEqualsRecompute(running, "late rows");
    landOutOfOrder(2, 10); // the later file lands first
    awaitGoldEqualsRecompute(running, "out-of-order files");
    land(1, 10, true);
    awaitGoldEqualsRecompute(running, "late rows again");

    running.stop();
    UpdateResult stopped = running.await();

    assertThat(stopped.state()).as("%s", stopped.error()).isEqualTo(UpdateState.STOPPED);
    assertThat(stopped.flow("gold").orElseThrow().state()).isEqualTo(FlowState.STOPPED);
    assertThat(goldEvents(running))
        .as("gold was maintained by its streaming job, never recomputed")
        .noneMatch(e -> e.detail().startsWith("recomputing"))
        .noneMatch(e -> e.state() == FlowState.FAILED || e.state() == FlowState.COMPLETED)
        .anyMatch(
            e ->
                e.state() == FlowState.STOPPED
                    && e.detail().equals("stopped with a savepoint; its state is kept"));
    assertThat(planning(1))
        .isEqualTo(
            "COMPLETE_RECOMPUTE: it has no saved state to continue from (its first incremental update, or a full"
                + " refresh): its query runs over every row of its inputs and replaces the table");
    assertThat(upsertCommits())
        .as("gold's commits written by the keyed upsert writer, one per epoch with changes")
        .isGreaterThanOrEqualTo(3);
    assertThat(storage().stateToRestore(GOLD_JOB)).as("gold's savepoint").isPresent();
    assertThat(storage().stateFingerprint(GOLD_JOB)).isPresent();

    land(1, 12, true);
    UpdateResult next = builder().run();

    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(goldDifference()).as("after the triggered update").isEmpty();
    assertThat(planning(2))
        .isEqualTo(
            "INCREMENTAL: the planner derives the upsert key [customer_id] and every operator of the query"
                + " maintains its result from new input rows");
  }

  @Test
  void goldWaitsForItsInputTableAndStartsOnceItExists() throws Exception {
    Files.createDirectories(dir.resolve("orders"));
    RunningUpdate running = builder().continuous(true).start();
    Await.until(
        "gold waiting for silver's table",
        PATIENCE,
        Duration.ofMillis(50),
        () ->
            goldEvents(running).stream()
                .anyMatch(
                    e ->
                        e.state() == FlowState.STARTING
                            && e.detail()
                                .equals(
                                    "waits for its input table 'silver' to be created: it starts"
                                        + " once every table it reads exists")));
    // (silver's table may exist by now: its job's committer creates it as the job starts, without a
    // file; what is asserted is that gold waited for it rather than failing on a missing table)
    assertThat(running.state()).isEqualTo(UpdateState.RUNNING);

    land(1, 20, false);
    awaitGoldEqualsRecompute(running, "the first file");
    land(1, 10, true);
    awaitGoldEqualsRecompute(running, "late rows");
    running.stop();
    UpdateResult stopped = running.await();

    assertThat(stopped.state()).as("%s", stopped.error()).isEqualTo(UpdateState.STOPPED);
    assertThat(stopped.flow("gold").orElseThrow().state()).isEqualTo(FlowState.STOPPED);
    assertThat(goldEvents(running))
        .noneMatch(e -> e.state() == FlowState.FAILED || e.detail().startsWith("recomputing"))
        .anyMatch(e -> e.state() == FlowState.RUNNING);
    assertThat(storage().stateToRestore(GOLD_JOB)).as("gold's savepoint").isPresent();
  }

  private Tributary.Builder builder() {
    return Tributary.pipeline(new Orders())
        .name("orders")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", dir.resolve("orders").toString()))
        .parallelism(1)
        .triggerInterval(Duration.ofMillis(300))
        .cluster(CLUSTER.cluster());
  }

  private void awaitGoldEqualsRecompute(RunningUpdate running, String when)
      throws InterruptedException {
    try {
      Await.until(
          "gold equal to a recompute after " + when,
          PATIENCE,
          Duration.ofMillis(200),
          () -> goldDifference().isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; " + goldDifference() + "; flow events " + running.events(), e);
    }
    assertThat(running.state()).as(when).isEqualTo(UpdateState.RUNNING);
  }

  /** How gold differs from its query computed here over every order landed so far; empty if equal. */
  private String goldDifference() {
    Map<String, List<Order>> groups = new TreeMap<>();
    orders.stream()
        .filter(o -> o.amount() > 0)
        .forEach(o -> groups.computeIfAbsent(o.customer(), c -> new ArrayList<>()).add(o));
    if (DeltaTableReader.schema(table("gold")).isEmpty()) {
      return "gold has no table yet";
    }
    Map<String, Map<String, Object>> rows = new TreeMap<>();
    PipelineTables.open(dir.resolve("storage").toString())
        .table("gold")
        .rowsAsMaps()
        .forEach(r -> rows.put((String) r.get("customer_id"), r));
    if (!rows.keySet().equals(groups.keySet())) {
      return "customers " + rows.keySet() + ", expected " + groups.keySet();
    }
    List<String> differences = new ArrayList<>();
    groups.forEach(
        (customer, group) -> {
          Map<String, Object> row = rows.get(customer);
          double sum = group.stream().mapToDouble(Order::amount).sum();
          Map<String, Object> expected = new TreeMap<>();
          expected.put("orders", (long) group.size());
          expected.put("total", sum);
          expected.put("low", group.stream().mapToDouble(Order::amount).min().orElseThrow());
          expected.put("high", group.stream().mapToDouble(Order::amount).max().orElseThrow());
          expected.put("mean", sum / group.size());
          expected.put("first_ts", group.stream().mapToLong(Order::ts).min().orElseThrow());
          expected.forEach(
              (column, value) -> {
                Object actual = row.get(column);
                boolean same =
                    value instanceof Double d
                        ? actual instanceof Double a && Math.abs(a - d) <= TOLERANCE
                        : actual instanceof Number n && n.longValue() == (Long) value;
                if (!same) {
                  differences.add(customer + "." + column + " " + actual + ", expected " + value);
                }
              });
        });
    return String.join(", ", differences);
  }

  /** The flow events of gold in {@code running}. */
  private static List<FlowEvent> goldEvents(RunningUpdate running) {
    return running.events().stream().filter(e -> e.dataset().equals("gold")).toList();
  }

  /**
   * The commits of gold's Delta log that add data files only in hash-bucket directories
   * ({@code bucket=NNNNN/}): the keyed upsert writer's epochs. A BATCH recompute replaces the table
   * with files outside them.
   */
  private long upsertCommits() {
    Path log = dir.resolve("storage/tables/gold/_delta_log");
    try (Stream<Path> commits = Files.list(log)) {
      return commits
          .filter(p -> p.getFileName().toString().matches("\\d{20}\\.json"))
          .filter(
              p -> {
                List<String> added = addedPaths(p);
                return !added.isEmpty()
                    && added.stream().allMatch(path -> path.matches("bucket=\\d{5}/.*"));
              })
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> addedPaths(Path commit) {
    try {
      List<String> paths = new ArrayList<>();
      for (String line : Files.readAllLines(commit)) {
        JsonNode action = JSON.readTree(line);
        if (action.has("add")) {
          paths.add(action.path("add").path("path").asText());
        }
      }
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "TECHNIQUE: reason" of gold's planning_information event in update {@code update}. */
  private String planning(long update) {
    Map<String, Long> numbers = new TreeMap<>();
    EventLog.of(storage())
        .events("create_update")
        .forEach(
            e ->
                numbers.put(
                    e.origin().updateId(),
                    e.detailsJson().path("create_update").path("update_number").asLong()));
    List<String> found = new ArrayList<>();
    for (Event e : EventLog.of(storage()).events("planning_information")) {
      if (e.origin().dataset().orElse("").equals("gold")
          && numbers.get(e.origin().updateId()) == update) {
        JsonNode info = e.detailsJson().path("planning_information");
        found.add(info.path("technique").asText() + ": " + info.path("reason").asText());
      }
    }
    assertThat(found).as("planning_information of gold in update %s", update).hasSize(1);
    return found.get(0);
  }

  private PipelineStorage storage() {
    return PipelineStorage.at(
        dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
  }

  private String table(String name) {
    return storage().tablePath(name);
  }

  /** Lands {@code count} files of {@code rows} orders; {@code late}: older timestamps than any so far. */
  private void land(int count, int rows, boolean late) throws IOException {
    for (int f = 0; f < count; f++) {
      write(files++, rows, late);
    }
  }

  /** Lands {@code count} files in reverse order of their names and timestamps. */
  private void landOutOfOrder(int count, int rows) throws IOException {
    int first = files;
    files += count;
    for (int f = files - 1; f >= first; f--) {
      write(f, rows, false);
    }
  }

  private void write(int file, int rows, boolean late) throws IOException {
    Random rnd = random.get();
    Path input = Files.createDirectories(dir.resolve("orders"));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      long ts = late ? rnd.nextInt(1_000) : 1_000_000 + file * 10_000L + i;
      double amount = rnd.nextInt(8) == 0 ? -1.0 : rnd.nextInt(40_000) / 100.0;
      Order o = new Order("o" + file + "-" + i, "c" + rnd.nextInt(7), amount, ts);
      orders.add(o);
      lines.append(
          String.format(
              "{\"order_id\":\"%s\",\"customer_id\":\"%s\",\"amount\":%s,\"ts\":%d}%n",
              o.id(), o.customer(), o.amount(), o.ts()));
    }
    Path temp = input.resolve(".part-" + file + ".json.tmp");
    Files.writeString(temp, lines);
    Files.move(temp, input.resolve(String.format("part-%03d.json", file)));
  }
}
