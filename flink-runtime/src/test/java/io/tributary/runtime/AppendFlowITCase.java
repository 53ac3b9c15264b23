package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.RefreshSelection;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several flows appending to one streaming table (DLT's {@code append_flow}) over updates: each flow
 * reads only what is new to it, a flow added later leaves the others' positions alone, a once
 * backfill runs in the first update and again after a full refresh of its target only, and the
 * event log names each flow. Tables are read back with Delta Kernel.
 */
class AppendFlowITCase {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /**
   * US files appended directly, EU files through their own streaming table (columns in another
   * order), a backfill of historical files, and with {@code withAsia} a third flow added later.
   */
  public static final class AllEvents implements PipelineDefinition {
    private final boolean withAsia;

    public AllEvents() {
      this(false);
    }

    AllEvents(boolean withAsia) {
      this.withAsia = withAsia;
    }

    @Override
    public void define(Pipeline p) {
      p.createStreamingTable("all_events").expectOrDrop("has_id", "id IS NOT NULL");
      p.appendFlow("from_us")
          .target("all_events")
          .from(AutoLoader.json(p.conf("source.us", "/none")).schema("id STRING, region STRING"));
      p.streamingTable("eu_events")
          .from(AutoLoader.json(p.conf("source.eu", "/none")).schema("region STRING, id STRING"));
      p.appendFlow("from_eu").target("all_events").sql("SELECT region, id FROM STREAM(eu_events)");
      p.appendFlow("backfill")
          .target("all_events")
          .from(
              AutoLoader.json(p.conf("source.history", "/none")).schema("id STRING, region STRING"))
          .once();
      if (withAsia) {
        p.appendFlow("from_asia")
            .target("all_events")
            .from(
                AutoLoader.json(p.conf("source.asia", "/none")).schema("id STRING, region STRING"));
      }
    }
  }

  @Test
  void eachFlowAppendsOnlyWhatIsNewToItAndAFlowAddedLaterLeavesTheOthersState() throws Exception {
    Path us = Files.createDirectories(dir.resolve("us"));
    Path eu = Files.createDirectories(dir.resolve("eu"));
    Path history = Files.createDirectories(dir.resolve("history"));
    Files.writeString(
        us.resolve("part-1.json"),
        """
        {"id":"u1","region":"us"}
        {"id":null,"region":"us"}
        """);
    Files.writeString(eu.resolve("part-1.json"), "{\"id\":\"e1\",\"region\":\"eu\"}\n");
    Files.writeString(history.resolve("part-1.json"), "{\"id\":\"h1\",\"region\":\"old\"}\n");

    UpdateResult first = builder(new AllEvents()).run();

    assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows())
        .containsExactlyInAnyOrder(Row.of("u1", "us"), Row.of("e1", "eu"), Row.of("h1", "old"));
    assertThat(completedFlows(first))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "eu_events",
                "eu_events",
                "from_us",
                "all_events",
                "from_eu",
                "all_events",
                "backfill",
                "all_events"));
    assertThat(rowsPerFlow(first))
        .isEqualTo(
            Map.of(
                "all_events", 2L, "backfill", 1L, "eu_events", 1L, "from_eu", 1L, "from_us", 2L));

    Files.writeString(us.resolve("part-2.json"), "{\"id\":\"u2\",\"region\":\"us\"}\n");
    Files.writeString(history.resolve("part-2.json"), "{\"id\":\"h2\",\"region\":\"old\"}\n");

    UpdateResult second = builder(new AllEvents()).run();

    assertThat(second.state()).as("%s", second.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows())
        .as("only u2 is new; the backfill ran already")
        .containsExactlyInAnyOrder(
            Row.of("u1", "us"), Row.of("e1", "eu"), Row.of("h1", "old"), Row.of("u2", "us"));
    assertThat(second.flow("backfill").orElseThrow().state()).isEqualTo(FlowState.EXCLUDED);
    assertThat(rowsPerFlow(second)).isEqualTo(Map.of("all_events", 1L, "from_us", 1L));

    Files.writeString(eu.resolve("part-2.json"), "{\"id\":\"e2\",\"region\":\"eu\"}\n");
    Files.writeString(
        Files.createDirectories(dir.resolve("asia")).resolve("part-1.json"),
        "{\"id\":\"a1\",\"region\":\"asia\"}\n");

    UpdateResult third = builder(new AllEvents(true)).run();

    assertThat(third.state()).as("%s", third.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows())
        .as("the added flow restored nobody's positions: nothing read twice")
        .containsExactlyInAnyOrder(
            Row.of("u1", "us"),
            Row.of("e1", "eu"),
            Row.of("h1", "old"),
            Row.of("u2", "us"),
            Row.of("e2", "eu"),
            Row.of("a1", "asia"));
    assertThat(rowsPerFlow(third))
        .isEqualTo(Map.of("all_events", 2L, "eu_events", 1L, "from_asia", 1L, "from_eu", 1L));

    UpdateResult refreshed =
        builder(new AllEvents(true))
            .selection(RefreshSelection.fullRefreshTables(Set.of("all_events")))
            .run();

    assertThat(refreshed.state()).as("%s", refreshed.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows())
        .as("a full refresh reads every file again, and the backfill runs again")
        .containsExactlyInAnyOrder(
            Row.of("u1", "us"),
            Row.of("e1", "eu"),
            Row.of("h1", "old"),
            Row.of("u2", "us"),
            Row.of("e2", "eu"),
            Row.of("a1", "asia"),
            Row.of("h2", "old"));
    assertThat(refreshed.flow("backfill").orElseThrow().state()).isEqualTo(FlowState.COMPLETED);
  }

  private Tributary.Builder builder(PipelineDefinition definition) {
    return Tributary.pipeline(definition)
        .name("events")
        .storage(dir.resolve("storage").toString())
        .configuration(
            Map.of(
                "source.us",
                dir.resolve("us").toString(),
                "source.eu",
                dir.resolve("eu").toString(),
                "source.history",
                dir.resolve("history").toString(),
                "source.asia",
                dir.resolve("asia").toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(CLUSTER.cluster());
  }

  private List<Row> rows() {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/all_events").toString());
  }

  private List<Event> events(UpdateResult update) {
    PipelineStorage storage =
        PipelineStorage.at(
            dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
    return EventLog.of(storage).events().stream()
        .filter(e -> e.origin().updateId().equals(update.updateId()))
        .toList();
  }

  /** Flow name to dataset of the update's COMPLETED flow_progress events. */
  private Map<String, String> completedFlows(UpdateResult update) {
    Map<String, String> flows = new TreeMap<>();
    for (Event event : events(update)) {
      if (event.eventType().equals("flow_progress") && event.message().endsWith(" is COMPLETED.")) {
        flows.put(event.origin().flowName().orElseThrow(), event.origin().dataset().orElseThrow());
      }
    }
    return flows;
  }

  /** Flow name to the rows its METRICS events count in the update (flows that wrote none are left out). */
  private Map<String, Long> rowsPerFlow(UpdateResult update) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    for (Event event : events(update)) {
      if (event.level() == Event.Level.METRICS) {
        JsonNode count =
            JSON.readTree(event.details())
                .path("flow_progress")
                .path("metrics")
                .path("num_output_rows");
        if (count.asLong() > 0) {
          rows.merge(event.origin().flowName().orElseThrow(), count.asLong(), Long::sum);
        }
      }
    }
    return rows;
  }
}
