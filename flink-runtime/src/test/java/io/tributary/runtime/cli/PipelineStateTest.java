package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.quality.DataQuality;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.FlowMetrics;
import io.tributary.runtime.eventlog.FlowProgressEvents;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** What the pipeline page shows, from a plan and an event log, and the page made of it. */
class PipelineStateTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock NOW = Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC);

  private static final LogicalPlan PLAN =
      Pipeline.plan(
          "shop",
          Map.of(),
          p -> {
            p.streamingTable("bronze").from(AutoLoader.json("/in"));
            p.streamingTable("silver").from("bronze").expectOrDrop("positive", "amount > 0");
            p.view("recent").from("bronze");
            p.table("gold").from("silver");
          });

  private final List<Event> events = new ArrayList<>();
  private long sequence = 1_000_000;

  private void add(
      String update,
      Optional<String> flow,
      int millis,
      Event.Level level,
      String type,
      String details,
      Optional<String> error) {
    Event.Origin origin =
        flow.map(f -> Event.Origin.flow("shop", update, f, f))
            .orElse(Event.Origin.update("shop", update));
    events.add(
        new Event(
            "e" + sequence,
            ++sequence,
            origin,
            T0.plusMillis(millis),
            level,
            type,
            error,
            details,
            type));
  }

  private void update(String id, long number, int at) {
    sequence = number * Event.SEQUENCES_PER_UPDATE;
    add(
        id,
        Optional.empty(),
        at,
        Event.Level.INFO,
        "create_update",
        "{\"create_update\":{\"update_number\":" + number + "}}",
        Optional.empty());
    add(
        id,
        Optional.empty(),
        at + 1,
        Event.Level.INFO,
        "update_progress",
        "{\"update_progress\":{\"state\":\"RUNNING\"}}",
        Optional.empty());
  }

  private void flow(String update, String dataset, int at, String status) {
    add(
        update,
        Optional.of(dataset),
        at,
        Event.Level.INFO,
        "flow_progress",
        "{\"flow_progress\":{\"status\":\"" + status + "\"}}",
        Optional.empty());
  }

  private void batch(
      String update, String dataset, String epoch, int at, long rows, long passed, long failed) {
    Event e =
        FlowProgressEvents.of(
            "shop",
            update,
            dataset,
            dataset,
            epoch,
            new FlowMetrics(
                rows,
                dataset.equals("silver")
                    ? new DataQuality(
                        "silver",
                        new String[] {"positive"},
                        new long[] {passed},
                        new long[] {failed},
                        failed)
                    : null),
            T0.plusMillis(at));
    events.add(e.withSequence(++sequence));
  }

  private ObjectNode state() {
    return PipelineState.of(
        PLAN, events, name -> Optional.of(new DeltaTableSummary(3, name.length())), NOW);
  }

  @Test
  void columnsFollowTheLongestPathAndAViewHasNoTable() {
    ObjectNode state = state();

    assertThat(state.path("datasets"))
        .extracting(
            d ->
                d.path("name").asText()
                    + "@"
                    + d.path("level").asInt()
                    + ":"
                    + d.path("rows").asText())
        .containsExactly("bronze@0:6", "silver@1:6", "recent@1:null", "gold@2:4");
    assertThat(state.path("running").asBoolean()).isFalse();
    assertThat(state.path("updates")).isEmpty();
    assertThat(state.path("datasets").get(0).path("last_run").isNull()).isTrue();
  }

  @Test
  void updatesLastRunsExpectationsAndMicroBatchesComeFromTheEventLog() {
    update("u1", 1, 0);
    flow("u1", "bronze", 10, "QUEUED");
    flow("u1", "silver", 10, "QUEUED");
    flow("u1", "bronze", 100, "RUNNING");
    flow("u1", "silver", 200, "RUNNING");
    batch("u1", "bronze", "1", 900, 4, 0, 0);
    batch("u1", "silver", "1", 1000, 3, 3, 1);
    batch("u1", "silver", "2", 1500, 2, 2, 0);
    flow("u1", "bronze", 2100, "COMPLETED");
    flow("u1", "silver", 2200, "COMPLETED");
    add(
        "u1",
        Optional.empty(),
        2300,
        Event.Level.INFO,
        "update_progress",
        "{\"update_progress\":{\"state\":\"COMPLETED\",\"duration_ms\":2250}}",
        Optional.empty());
    update("u2", 2, 50_000);
    flow("u2", "bronze", 50_010, "EXCLUDED");
    flow("u2", "silver", 50_100, "RUNNING");
    batch("u2", "silver", "7", 50_500, 5, 5, 2);

    ObjectNode state = state();

    assertThat(state.path("running").asBoolean()).isTrue();
    assertThat(state.path("updates"))
        .extracting(
            u ->
                u.path("number").asLong()
                    + " "
                    + u.path("state").asText()
                    + " "
                    + u.path("duration_ms").asLong())
        .containsExactly("2 RUNNING 10000", "1 COMPLETED 2250");
    JsonNode bronze = state.path("datasets").get(0).path("last_run");
    assertThat(bronze.path("update_id").asText())
        .as("an EXCLUDED flow keeps its last run")
        .isEqualTo("u1");
    assertThat(bronze.path("state").asText()).isEqualTo("COMPLETED");
    assertThat(bronze.path("duration_ms").asLong()).isEqualTo(2000);
    assertThat(bronze.path("rows_written").asLong()).isEqualTo(4);
    JsonNode silver = state.path("datasets").get(1).path("last_run");
    assertThat(silver.path("state").asText()).isEqualTo("RUNNING");
    assertThat(silver.path("duration_ms").asLong()).as("so far").isEqualTo(60_000 - 50_100);
    assertThat(silver.path("rows_written").asLong()).isEqualTo(5);
    assertThat(state.path("expectations")).hasSize(1);
    assertThat(state.path("expectations").get(0).toString())
        .isEqualTo(
            "{\"dataset\":\"silver\",\"name\":\"positive\",\"passed\":5,\"failed\":2,\"pass_rate\":71.43}");
    assertThat(
            StreamSupport.stream(state.path("batches").spliterator(), false)
                .map(
                    b ->
                        b.path("flow").asText()
                            + "#"
                            + b.path("epoch").asText()
                            + " "
                            + b.path("rows").asLong()
                            + "/"
                            + b.path("dropped").asLong())
                .toList())
        .containsExactly("silver#7 5/2");
  }

  @Test
  void thePageDrawsEveryNodeAndEdgeAndNothingInTheDataCanCloseItsScript() {
    update("u1", 1, 0);
    add(
        "u1",
        Optional.empty(),
        10,
        Event.Level.ERROR,
        "update_progress",
        "{\"update_progress\":{\"state\":\"FAILED\",\"duration_ms\":10}}",
        Optional.of("boom </script><script>alert(1)</script>"));

    String page = PipelinePage.render(state(), false);

    assertThat(page)
        .contains(
            "<g class=\"node streaming-table\" data-name=\"bronze\" transform=\"translate(16 16)\">")
        .contains("<g class=\"node view\" data-name=\"recent\"")
        .contains("data-from=\"bronze\" data-to=\"silver\" data-mode=\"stream\"")
        .contains("data-from=\"bronze\" data-to=\"recent\" data-mode=\"snapshot\"")
        .contains("data-from=\"silver\" data-to=\"gold\" data-mode=\"snapshot\"")
        .contains("<body data-live=\"false\">")
        .doesNotContain("<script>alert(1)")
        .contains("boom \\u003c/script>\\u003cscript>alert(1)\\u003c/script>");
    assertThat(page.split("<script", -1)).hasSize(3);
    assertThat(PipelinePage.render(state(), true)).contains("<body data-live=\"true\">");
  }
}
