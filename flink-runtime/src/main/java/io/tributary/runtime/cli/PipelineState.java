package io.tributary.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.eventlog.EventType;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the pipeline page shows, as one JSON object (the page's embedded data and the {@code
 * /api/state} answer of {@code tributary ui}), read from the event log and the tables:
 *
 * <ul>
 *   <li>{@code datasets}: in plan order, each with its graph column ({@code level}: one more than its
 *       furthest input), its inputs and read modes, its table's rows and Delta version, and its flow's
 *       state, duration (from its first state after QUEUED to its last) and rows written in the last
 *       update that ran it;
 *   <li>{@code updates}: the most recent first, with state, start, duration (so far, for a running one);
 *   <li>{@code expectations}: the pass rates of the last update;
 *   <li>{@code batches}: the micro-batches (epochs) of the last update as its flows committed them.
 * </ul>
 */
final class PipelineState {

  static final int UPDATES_SHOWN = 10;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ENDED_UPDATE = Set.of("COMPLETED", "FAILED", "STOPPED");
  private static final Set<String> ENDED_FLOW =
      Set.of("COMPLETED", "FAILED", "SKIPPED", "STOPPED", "EXCLUDED");

  private PipelineState() {}

  static ObjectNode of(LogicalPlan plan, PipelineStorage storage, Clock clock) {
    return of(
        plan,
        EventLog.of(storage).events(),
        name -> DeltaTableSummary.of(storage.tablePath(name), storage.hadoopConf()),
        clock);
  }

  static ObjectNode of(
      LogicalPlan plan,
      List<Event> events,
      java.util.function.Function<String, Optional<DeltaTableSummary>> tables,
      Clock clock) {
    ObjectNode state = JSON.createObjectNode();
    state.put("pipeline", plan.pipeline());
    state.put("generated", clock.instant().toString());
    List<UpdateView> updates = updates(events, clock);
    ArrayNode updateArray = state.putArray("updates");
    for (int i = updates.size() - 1; i >= Math.max(0, updates.size() - UPDATES_SHOWN); i--) {
      updateArray.add(updates.get(i).json());
    }
    Optional<UpdateView> last =
        updates.isEmpty() ? Optional.empty() : Optional.of(updates.get(updates.size() - 1));
    state.put("running", last.map(u -> !u.ended()).orElse(false));

    Map<String, Integer> levels = new HashMap<>();
    ArrayNode datasets = state.putArray("datasets");
    for (DatasetSpec dataset : plan.datasets()) {
      ObjectNode node = datasets.addObject();
      node.put("name", dataset.name());
      node.put("kind", dataset.kind().displayName());
      int level = 0;
      ArrayNode inputs = node.putArray("inputs");
      for (Input input : plan.inputsOf(dataset.name())) {
        inputs
            .addObject()
            .put("dataset", input.dataset())
            .put("mode", input.mode().name().toLowerCase(java.util.Locale.ROOT));
        level = Math.max(level, levels.getOrDefault(input.dataset(), 0) + 1);
      }
      levels.put(dataset.name(), level);
      node.put("level", level);
      Optional<DeltaTableSummary> table =
          dataset.kind().isPersisted() ? tables.apply(dataset.name()) : Optional.empty();
      if (table.isPresent()) {
        node.put("rows", table.get().rows());
        node.put("version", table.get().version());
      } else {
        node.putNull("rows");
        node.putNull("version");
      }
      flowOfLastRun(events, dataset.name(), clock)
          .ifPresentOrElse(f -> node.set("last_run", f), () -> node.putNull("last_run"));
    }

    ArrayNode expectations = state.putArray("expectations");
    ArrayNode batches = state.putArray("batches");
    EventLog.lastUpdateId(events)
        .ifPresent(
            id -> {
              for (EventLog.ExpectationTotals t : EventLog.dataQuality(events, id).values()) {
                expectations
                    .addObject()
                    .put("dataset", t.dataset())
                    .put("name", t.name())
                    .put("passed", t.passed())
                    .put("failed", t.failed())
                    .put("pass_rate", Math.round(t.passRate() * 100) / 100.0);
              }
              for (Event e : events) {
                if (e.origin().updateId().equals(id)
                    && e.level() == Event.Level.METRICS
                    && e.eventType().equals(EventType.FLOW_PROGRESS.value())) {
                  JsonNode progress = e.detailsJson().path("flow_progress");
                  ObjectNode batch = batches.addObject();
                  batch.put("flow", e.origin().flowName().orElse(""));
                  batch.put("dataset", e.origin().dataset().orElse(""));
                  batch.put("epoch", progress.path("epoch").asText());
                  batch.put("time", e.timestamp().toString());
                  batch.put("rows", progress.path("metrics").path("num_output_rows").asLong());
                  JsonNode dropped = progress.path("data_quality").path("dropped_records");
                  if (dropped.isMissingNode()) {
                    batch.putNull("dropped");
                  } else {
                    batch.put("dropped", dropped.asLong());
                  }
                  JsonNode latency = progress.path("commit_latency_ms");
                  if (!latency.isMissingNode()) {
                    batch.put("commit_latency_ms", latency.asLong());
                  }
                }
              }
            });
    return state;
  }

  /** An update as its events tell it. */
  private record UpdateView(
      String id,
      long number,
      Instant started,
      String state,
      Optional<Long> durationMs,
      Optional<String> error,
      Instant lastEvent,
      Clock clock) {
    boolean ended() {
      return ENDED_UPDATE.contains(state);
    }

    ObjectNode json() {
      ObjectNode node = JSON.createObjectNode();
      node.put("number", number);
      node.put("id", id);
      node.put("state", state);
      node.put("started", started.toString());
      node.put(
          "duration_ms",
          durationMs.orElseGet(
              () ->
                  ended()
                      ? Duration.between(started, lastEvent).toMillis()
                      : Math.max(0, Duration.between(started, clock.instant()).toMillis())));
      error.ifPresentOrElse(e -> node.put("error", e), () -> node.putNull("error"));
      return node;
    }
  }

  /** Every update with a {@code create_update} event, oldest first. */
  private static List<UpdateView> updates(List<Event> events, Clock clock) {
    Map<String, UpdateView> updates = new LinkedHashMap<>();
    for (Event e : events) {
      String id = e.origin().updateId();
      if (e.eventType().equals(EventType.CREATE_UPDATE.value())) {
        long number =
            e.detailsJson()
                .path("create_update")
                .path("update_number")
                .asLong(e.sequence() / Event.SEQUENCES_PER_UPDATE);
        updates.put(
            id,
            new UpdateView(
                id,
                number,
                e.timestamp(),
                "QUEUED",
                Optional.empty(),
                Optional.empty(),
                e.timestamp(),
                clock));
      } else if (updates.containsKey(id)) {
        UpdateView u = updates.get(id);
        String state = u.state();
        Optional<Long> duration = u.durationMs();
        Optional<String> error = u.error();
        if (e.eventType().equals(EventType.UPDATE_PROGRESS.value())) {
          JsonNode progress = e.detailsJson().path("update_progress");
          state = progress.path("state").asText(state);
          if (progress.has("duration_ms")) {
            duration = Optional.of(progress.path("duration_ms").asLong());
          }
          if (e.error().isPresent()) {
            error = e.error();
          }
        }
        updates.put(
            id,
            new UpdateView(
                id, u.number(), u.started(), state, duration, error, e.timestamp(), clock));
      }
    }
    return new ArrayList<>(updates.values());
  }

  /**
   * The flow into {@code dataset} in the last update that ran it (not EXCLUDED): its last state, its
   * duration from its first state after QUEUED to its last (so far, while it runs), and the rows its
   * micro-batches wrote.
   */
  private static Optional<ObjectNode> flowOfLastRun(
      List<Event> events, String dataset, Clock clock) {
    String update = null;
    for (Event e : events) {
      if (isFlowState(e, dataset) && !status(e).equals("EXCLUDED") && !status(e).equals("QUEUED")) {
        update = e.origin().updateId();
      }
    }
    if (update == null) {
      return Optional.empty();
    }
    String state = null;
    Instant first = null;
    Instant lastAt = null;
    long rows = 0;
    boolean counted = false;
    for (Event e : events) {
      if (!e.origin().updateId().equals(update)) {
        continue;
      }
      if (isFlowState(e, dataset)) {
        state = status(e);
        if (first == null && !state.equals("QUEUED")) {
          first = e.timestamp();
        }
        lastAt = e.timestamp();
      } else if (e.level() == Event.Level.METRICS
          && e.eventType().equals(EventType.FLOW_PROGRESS.value())
          && e.origin().dataset().filter(dataset::equals).isPresent()) {
        rows +=
            e.detailsJson().path("flow_progress").path("metrics").path("num_output_rows").asLong();
        counted = true;
      }
    }
    ObjectNode run = JSON.createObjectNode();
    run.put("update_id", update);
    run.put("state", state);
    Instant end = ENDED_FLOW.contains(state) ? lastAt : clock.instant();
    run.put(
        "duration_ms", first == null ? 0 : Math.max(0, Duration.between(first, end).toMillis()));
    if (counted) {
      run.put("rows_written", rows);
    } else {
      run.putNull("rows_written");
    }
    return Optional.of(run);
  }

  private static boolean isFlowState(Event e, String dataset) {
    return e.level() != Event.Level.METRICS
        && e.eventType().equals(EventType.FLOW_PROGRESS.value())
        && e.origin().dataset().filter(dataset::equals).isPresent();
  }

  private static String status(Event e) {
    return e.detailsJson().path("flow_progress").path("status").asText("");
  }
}
