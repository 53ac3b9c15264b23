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
import io.tributary.runtime.eventlog.EventType;
import io.tributary.runtime.maintenance.AutoCompactSettings;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.SeededRandom;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commits of a continuous update as a user reads them: each data commit's {@code flow_progress}
 * event says its commit latency, and auto compaction keeps a table that commits every few hundred
 * milliseconds from piling up small files, without losing, duplicating or resurrecting a row and
 * without a {@code flow_progress} event of its own.
 */
class ContinuousCommitsITCase {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** bronze (Auto Loader) -> silver (an expectation drops non-positive amounts): append-only tables. */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("silver").from("bronze").expectOrDrop("positive_amount", "amount > 0");
    }
  }

  @Test
  void eachDataCommitsEventSaysItsCommitLatencyAndWithoutAutoCompactionEveryFileStays()
      throws Exception {
    Run run = runContinuously(Map.of(AutoCompactSettings.ENABLED, "false"), 8);

    List<JsonNode> commits = commitEvents("silver");
    assertThat(commits).hasSize(run.silver.dataCommits.size());
    for (JsonNode commit : commits) {
      assertThat(commit.has("commit_latency_ms")).as("%s", commit).isTrue();
      assertThat(commit.path("commit_latency_ms").asLong())
          .as("%s", commit)
          .isBetween(0L, run.durationMillis);
    }
    assertThat(commitEvents("bronze"))
        .allSatisfy(
            c ->
                assertThat(c.path("commit_latency_ms").asLong(-1))
                    .isBetween(0L, run.durationMillis));
    assertThat(run.silver.rewrites).as("auto compaction is off").isEmpty();
    assertThat(run.silver.liveFiles).hasSize(run.silver.addedByDataCommits);
    assertThat(maintenanceEvents()).isEmpty();
  }

  @Test
  void autoCompactionLeavesFewerFilesThanCommitsWithEveryRowExactlyOnce() throws Exception {
    Run run = runContinuously(Map.of(AutoCompactSettings.MIN_FILES, "4"), 24);

    DeltaLog silver = run.silver;
    assertThat(silver.rewrites).as("compaction commits in the Delta log").isNotEmpty();
    assertThat(silver.liveFiles.size())
        .as("files left in silver after %s data commits", silver.dataCommits.size())
        .isLessThan(silver.dataCommits.size());
    // one flow_progress event per data commit, none for a compaction commit
    assertThat(commitEvents("silver"))
        .extracting(c -> c.path("table_version").asLong())
        .containsExactlyInAnyOrderElementsOf(silver.dataCommits);
    List<JsonNode> compactions =
        maintenanceEvents().stream()
            .map(e -> e.path("maintenance_progress"))
            .filter(p -> p.path("state").asText().equals("COMPLETED"))
            .toList();
    assertThat(compactions).isNotEmpty();
    for (JsonNode c : compactions) {
      assertThat(c.path("trigger").asText()).isEqualTo("auto_compact");
      assertThat(c.path("compaction").path("files_removed").asLong()).isGreaterThanOrEqualTo(2);
      assertThat(c.path("compaction").path("bytes_removed").asLong()).isPositive();
    }
    ExactlyOnceChecks.assertOneExactEventPerDataCommit(
        dir.resolve("storage"), List.of("bronze", "silver"));
    // the update goes on where it stopped: nothing read twice, nothing lost
    UpdateResult next = builder(Map.of(AutoCompactSettings.MIN_FILES, "4")).run();
    assertThat(next.state()).as("%s", next.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(ids("silver")).containsExactlyInAnyOrderElementsOf(run.expectedSilver);
  }

  private record Run(long durationMillis, DeltaLog silver, List<String> expectedSilver) {}

  /** Drops {@code files} input files one by one into a continuous update, then stops it. */
  private Run runContinuously(Map<String, String> settings, int files) throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Random rnd = random.get();
    List<String> all = new ArrayList<>();
    List<String> positive = new ArrayList<>();
    long started = System.currentTimeMillis();
    RunningUpdate running = builder(settings).continuous(true).start();
    for (int f = 0; f < files; f++) {
      StringBuilder lines = new StringBuilder();
      int rows = 2 + rnd.nextInt(4);
      for (int r = 0; r < rows; r++) {
        String id = "o" + f + "-" + r;
        double amount = rnd.nextInt(5) == 0 ? -1.0 : 1.0 + rnd.nextInt(100);
        lines.append(
            String.format(
                "{\"order_id\":\"%s\",\"customer_id\":\"c%d\",\"amount\":%s}%n",
                id, rnd.nextInt(3), amount));
        all.add(id);
        if (amount > 0) {
          positive.add(id);
        }
      }
      Path temp = input.resolve(".part-" + f + ".json.tmp");
      Files.writeString(temp, lines);
      Files.move(temp, input.resolve("part-" + f + ".json"));
      Thread.sleep(100 + rnd.nextInt(200));
    }
    Await.until(
        "silver holding " + positive.size() + " rows",
        PATIENCE,
        Duration.ofMillis(100),
        () -> rowCount("silver") >= positive.size() && rowCount("bronze") >= all.size());
    if (!settings.containsKey(AutoCompactSettings.ENABLED)) {
      Await.until(
          "a compaction of silver",
          PATIENCE,
          Duration.ofMillis(100),
          () -> !DeltaLog.read(table("silver")).rewrites.isEmpty());
    }
    running.stop();
    UpdateResult stopped = running.await();
    long duration = System.currentTimeMillis() - started;
    assertThat(stopped.state()).as("%s", stopped.error()).isEqualTo(UpdateState.STOPPED);
    assertThat(ids("bronze")).containsExactlyInAnyOrderElementsOf(all);
    assertThat(ids("silver")).containsExactlyInAnyOrderElementsOf(positive);
    return new Run(duration, DeltaLog.read(table("silver")), positive);
  }

  private Tributary.Builder builder(Map<String, String> settings) {
    Map<String, String> configuration = new HashMap<>(settings);
    configuration.put("source", dir.resolve("orders").toString());
    return Tributary.pipeline(new Orders())
        .name("orders")
        .storage(dir.resolve("storage").toString())
        .configuration(configuration)
        .parallelism(1)
        .triggerInterval(Duration.ofMillis(250))
        .cluster(CLUSTER.cluster());
  }

  private Path table(String name) {
    return dir.resolve("storage/tables/" + name);
  }

  /**
   * The rows of a table while it is written: -1 when a read races a commit's Delta checkpoint files
   * (as ContinuousFailureInjectionITCase's polls do), which the next poll reads again.
   */
  private long rowCount(String name) {
    String path = table(name).toString();
    try {
      return DeltaTableReader.schema(path).isPresent() ? DeltaTableReader.readAll(path).size() : 0;
    } catch (RuntimeException e) {
      System.out.println("Reading " + name + " while it is written failed; polling again: " + e);
      return -1;
    }
  }

  private List<String> ids(String name) {
    return DeltaTableReader.readAll(table(name).toString()).stream()
        .map(r -> (String) r.getField(0))
        .toList();
  }

  private List<Event> events() {
    return EventLog.of(
            PipelineStorage.at(
                dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration()))
        .events();
  }

  /** The flow_progress details of {@code dataset}'s data commits (those naming a table version). */
  private List<JsonNode> commitEvents(String dataset) {
    return events().stream()
        .filter(e -> e.eventType().equals(EventType.FLOW_PROGRESS.value()))
        .filter(e -> e.origin().dataset().filter(dataset::equals).isPresent())
        .map(e -> e.detailsJson().path("flow_progress"))
        .filter(p -> p.has("table_version"))
        .toList();
  }

  private List<JsonNode> maintenanceEvents() {
    return events().stream()
        .filter(e -> e.eventType().equals(EventType.MAINTENANCE_PROGRESS.value()))
        .map(Event::detailsJson)
        .toList();
  }

  /**
   * A table's Delta log read as JSON: the versions of its data commits (those carrying a transaction),
   * its rewrites (every add and remove {@code dataChange=false}, no transaction), and the files live
   * at the latest version.
   */
  private record DeltaLog(
      List<Long> dataCommits, List<Long> rewrites, Set<String> liveFiles, int addedByDataCommits) {

    static DeltaLog read(Path table) {
      List<Long> data = new ArrayList<>();
      List<Long> rewrites = new ArrayList<>();
      Set<String> live = new LinkedHashSet<>();
      int added = 0;
      TreeMap<Long, Path> commits = new TreeMap<>();
      try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
        files
            .filter(p -> p.getFileName().toString().matches("\\d{20}\\.json"))
            .forEach(
                p -> commits.put(Long.parseLong(p.getFileName().toString().substring(0, 20)), p));
        for (Map.Entry<Long, Path> commit : commits.entrySet()) {
          boolean txn = false;
          boolean changesData = false;
          int adds = 0;
          int actions = 0;
          for (String line : Files.readAllLines(commit.getValue())) {
            JsonNode action = JSON.readTree(line);
            txn |= action.has("txn");
            for (String kind : List.of("add", "remove")) {
              if (action.has(kind)) {
                actions++;
                changesData |= action.path(kind).path("dataChange").asBoolean(true);
                String path = action.path(kind).path("path").asText();
                if (kind.equals("add")) {
                  live.add(path);
                  adds++;
                } else {
                  live.remove(path);
                }
              }
            }
          }
          if (txn && adds > 0) {
            data.add(commit.getKey());
            added += adds;
          } else if (!txn && actions > 0 && !changesData) {
            rewrites.add(commit.getKey());
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new DeltaLog(data, rewrites, live, added);
    }
  }
}
