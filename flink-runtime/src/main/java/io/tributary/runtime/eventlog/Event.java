package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One event of a pipeline's event log, in the shape of Delta Live Tables' event log: who it is about
 * ({@link Origin}), when, how serious ({@link Level}), a human message, an optional error, and the
 * type-specific {@code details} as a JSON string (for example {@code {"flow_progress": {"status":
 * "RUNNING", "data_quality": {...}}}}).
 *
 * <pre>{@code
 * Event e = Event.of(origin, EventType.FLOW_PROGRESS, Level.INFO, "Flow 'silver' is RUNNING.",
 *     Optional.empty(), details);
 * }</pre>
 *
 * @param id unique per event; an event written twice (a replayed epoch) has the same id, so it is
 *     logged once
 * @param sequence the event's place in the pipeline's log: {@code update number * 1,000,000 + rank in
 *     the update}; 0 until the event is read back from the journal or the table
 * @param eventType one of {@link EventType}'s names in lower case, e.g. {@code flow_progress}
 */
public record Event(
    String id,
    long sequence,
    Origin origin,
    Instant timestamp,
    Level level,
    String message,
    Optional<String> error,
    String details,
    String eventType) {

  /** Events an update has at most: the sequence's rank part. */
  public static final long SEQUENCES_PER_UPDATE = 1_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper();

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(eventType, "eventType");
  }

  /** The severity of an event; METRICS marks the data quality and row counts of an epoch. */
  public enum Level {
    INFO,
    WARN,
    ERROR,
    METRICS
  }

  /**
   * What an event is about, as DLT's {@code origin} struct.
   *
   * @param flowName empty for events of the whole update
   * @param dataset empty for events of the whole update
   */
  public record Origin(
      String pipeline, String updateId, Optional<String> flowName, Optional<String> dataset) {
    public Origin {
      Objects.requireNonNull(pipeline, "pipeline");
      Objects.requireNonNull(updateId, "updateId");
      Objects.requireNonNull(flowName, "flowName");
      Objects.requireNonNull(dataset, "dataset");
    }

    /** The origin of an event about the whole update. */
    public static Origin update(String pipeline, String updateId) {
      return new Origin(pipeline, updateId, Optional.empty(), Optional.empty());
    }

    /** The origin of an event about the flow writing {@code dataset} (a query flow is named as its dataset). */
    public static Origin flow(String pipeline, String updateId, String flow, String dataset) {
      return new Origin(pipeline, updateId, Optional.of(flow), Optional.of(dataset));
    }
  }

  /** The same event at {@code sequence}. */
  public Event withSequence(long sequence) {
    return new Event(id, sequence, origin, timestamp, level, message, error, details, eventType);
  }

  /** The details as a JSON tree. */
  public JsonNode detailsJson() {
    try {
      return JSON.readTree(details);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "event " + id + " has details that are not JSON: " + details, e);
    }
  }

  /** The event as one JSON object, the form of the journal and of {@code tributary events --json}. */
  public ObjectNode toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", id);
    node.put("sequence", sequence);
    ObjectNode o = node.putObject("origin");
    o.put("pipeline", origin.pipeline());
    o.put("update_id", origin.updateId());
    origin.flowName().ifPresent(f -> o.put("flow_name", f));
    origin.dataset().ifPresent(d -> o.put("dataset", d));
    node.put("timestamp", timestamp.toString());
    node.put("level", level.name());
    node.put("message", message);
    error.ifPresent(e -> node.put("error", e));
    node.set("details", detailsJson());
    node.put("event_type", eventType);
    return node;
  }

  /** The event {@link #toJson()} wrote. */
  public static Event fromJson(JsonNode node) {
    JsonNode o = node.path("origin");
    Origin origin =
        new Origin(
            o.path("pipeline").asText(),
            o.path("update_id").asText(),
            text(o, "flow_name"),
            text(o, "dataset"));
    JsonNode details = node.path("details");
    return new Event(
        node.path("id").asText(),
        node.path("sequence").asLong(),
        origin,
        Instant.parse(node.path("timestamp").asText()),
        Level.valueOf(node.path("level").asText()),
        node.path("message").asText(),
        text(node, "error"),
        details.isTextual() ? details.asText() : details.toString(),
        node.path("event_type").asText());
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }
}
