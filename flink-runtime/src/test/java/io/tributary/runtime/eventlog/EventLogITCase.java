package io.tributary.runtime.eventlog;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.functions.ScalarFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log of real updates: every event type, lineage, and data quality counts that are exact
 * although a task fails mid-update and the job restarts from its last checkpoint (production mode).
 */
class EventLogITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /**
   * Passes values through, slowly (so rows span many epochs), and throws once, at the first row after
   * {@link #failAt} rows once an epoch's metrics are in the journal, to inject a task failure after
   * a completed checkpoint.
   */
  public static final class FailOnce extends ScalarFunction {
    static final AtomicInteger seen = new AtomicInteger();
    static final AtomicBoolean failed = new AtomicBoolean();
    static volatile int failAt = Integer.MAX_VALUE;
    static volatile java.nio.file.Path journal;

    public String eval(String value) throws Exception {
      Thread.sleep(1);
      if (seen.incrementAndGet() >= failAt
          && metricsLogged()
          && failed.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after row " + failAt);
      }
      return value;
    }

    private static boolean metricsLogged() throws java.io.IOException {
      if (!Files.exists(journal)) {
        return false;
      }
      try (var files = Files.walk(journal)) {
        return files
            .filter(f -> f.toString().endsWith(".json"))
            .anyMatch(
                f -> {
                  try {
                    return Files.readString(f).contains("\"METRICS\"");
                  } catch (java.io.IOException e) {
                    return false;
                  }
                });
      }
    }
  }

  /** bronze (Auto Loader) -> silver (one expect, one expect_or_drop), through a function that fails once. */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
      p.streamingTable("silver")
          .query(
              ctx ->
                  ctx.readStream("bronze")
                      .select(
                          call(FailOnce.class, $("order_id")).as("order_id"),
                          $("customer_id"),
                          $("amount")))
          .expect("has_customer", "customer_id IS NOT NULL")
          .expectOrDrop("positive_amount", "amount > 0");
    }
  }

  @Test
  void dataQualityCountsAreExactAfterAFailureAndRestore() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    int rows = 0;
    long negative = 0;
    long noCustomer = 0;
    for (int file = 0; file < 8; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 250; i++, rows++) {
        boolean neg = rows % 5 == 0;
        boolean missing = rows % 7 == 0;
        negative += neg ? 1 : 0;
        noCustomer += missing ? 1 : 0;
        lines
            .append("{\"order_id\":\"o")
            .append(rows)
            .append("\",\"customer_id\":")
            .append(missing ? "null" : "\"c" + rows % 3 + "\"")
            .append(",\"amount\":")
            .append(neg ? -1.0 : 2.0)
            .append("}\n");
      }
      Files.writeString(input.resolve("part-" + file + ".json"), lines);
    }
    FailOnce.seen.set(0);
    FailOnce.failed.set(false);
    FailOnce.journal = dir.resolve("storage/_tributary/events");
    FailOnce.failAt = 600;

    RunningUpdate running =
        Tributary.pipeline(new Orders())
            .name("orders")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(2)
            .triggerInterval(Duration.ofMillis(100))
            .development(false)
            .cluster(CLUSTER.cluster())
            .start();
    UpdateResult result = running.await();

    assertThat(result.state()).as(result.toString()).isEqualTo(UpdateState.COMPLETED);
    assertThat(FailOnce.failed).as("the failure was injected after an epoch was logged").isTrue();
    assertThat(FailOnce.seen.get()).as("rows were replayed").isGreaterThan(rows);
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    assertThat(UpdateEventLog.journal(storage).updateNumbers())
        .as("folded at update end")
        .isEmpty();
    List<Event> events = EventLog.of(storage).events();
    assertThat(running.eventLog()).isEqualTo(events);

    Map<String, EventLog.ExpectationTotals> quality =
        EventLog.dataQuality(events, result.updateId());
    assertThat(quality.get("silver.has_customer"))
        .isEqualTo(
            new EventLog.ExpectationTotals(
                "silver", "has_customer", rows - noCustomer, noCustomer));
    assertThat(quality.get("silver.positive_amount"))
        .isEqualTo(
            new EventLog.ExpectationTotals("silver", "positive_amount", rows - negative, negative));
    long dropped = 0;
    long written = 0;
    long bronzeRows = 0;
    for (Event e : events) {
      if (e.level() == Event.Level.METRICS && e.origin().dataset().orElseThrow().equals("bronze")) {
        bronzeRows +=
            e.detailsJson().path("flow_progress").path("metrics").path("num_output_rows").asLong();
        assertThat(e.detailsJson().path("flow_progress").has("data_quality"))
            .as("bronze has no expectations")
            .isFalse();
      } else if (e.level() == Event.Level.METRICS) {
        JsonNode progress = e.detailsJson().path("flow_progress");
        dropped += progress.path("data_quality").path("dropped_records").asLong();
        written += progress.path("metrics").path("num_output_rows").asLong();
      }
    }
    assertThat(events)
        .filteredOn(e -> e.level() == Event.Level.METRICS)
        .as("several epochs")
        .hasSizeGreaterThan(2);
    assertThat(bronzeRows)
        .as("rows written to bronze, counted once though replayed")
        .isEqualTo(rows);
    assertThat(dropped).isEqualTo(negative);
    assertThat(written).isEqualTo(rows - negative);
    // every data commit has exactly one event naming its table version, with the commit's rows
    for (String table : List.of("bronze", "silver")) {
      Map<Long, Long> committed = new java.util.TreeMap<>();
      for (var commit :
          io.tributary.runtime.delta.read.DeltaCommitRows.read(
              dir.resolve("storage/tables/" + table).toString(),
              new org.apache.hadoop.conf.Configuration())) {
        if (commit.appId().isPresent() && commit.adds() + commit.removes() > 0) {
          committed.put(commit.version(), commit.addedRows() - commit.deletedRows());
        }
      }
      Map<Long, Long> logged = new java.util.TreeMap<>();
      for (Event e : events) {
        JsonNode progress = e.detailsJson().path("flow_progress");
        if (e.level() == Event.Level.METRICS
            && e.origin().dataset().orElseThrow().equals(table)
            && progress.has("table_version")) {
          assertThat(
                  logged.put(
                      progress.path("table_version").asLong(),
                      progress.path("metrics").path("num_output_rows").asLong()))
              .as("one event per commit: %s", e)
              .isNull();
        }
      }
      assertThat(logged)
          .as("table version -> rows of %s's events and commits", table)
          .isEqualTo(committed);
    }

    assertThat(events)
        .extracting(Event::eventType)
        .contains(
            "user_action", "create_update", "update_progress", "flow_definition", "flow_progress");
    Event silverDefinition =
        events.stream()
            .filter(
                e ->
                    e.eventType().equals("flow_definition")
                        && e.origin().dataset().orElse("").equals("silver"))
            .findFirst()
            .orElseThrow();
    assertThat(
            silverDefinition
                .detailsJson()
                .path("flow_definition")
                .path("input_datasets")
                .toString())
        .isEqualTo("[\"bronze\"]");
    assertThat(events)
        .filteredOn(e -> e.eventType().equals("update_progress"))
        .last()
        .extracting(Event::message)
        .isEqualTo("Update 1 is COMPLETED.");
    assertThat(events).extracting(Event::sequence).isSorted().doesNotHaveDuplicates();

    // a second update with no new input adds its own events and no data quality counts
    UpdateResult second =
        Tributary.pipeline(new Orders())
            .name("orders")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(2)
            .triggerInterval(Duration.ofMillis(100))
            .cluster(CLUSTER.cluster())
            .run();
    List<Event> after = EventLog.of(storage).events();
    assertThat(after.subList(0, events.size())).isEqualTo(events);
    assertThat(EventLog.dataQuality(after, second.updateId())).isEmpty();
    assertThat(EventLog.lastUpdateId(after)).contains(second.updateId());
  }
}
