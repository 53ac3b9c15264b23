package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a pipeline's event log: the Delta table and, after it, whatever the journal holds that is not
 * folded yet (a running update, or one that crashed), ordered by sequence.
 *
 * <pre>{@code
 * List<Event> events = EventLog.of(storage).events();
 * }</pre>
 */
public final class EventLog {

  private final EventLogTable table;
  private final EventJournal journal;

  private EventLog(EventLogTable table, EventJournal journal) {
    this.table = table;
    this.journal = journal;
  }

  public static EventLog of(PipelineStorage storage) {
    return new EventLog(UpdateEventLog.table(storage), UpdateEventLog.journal(storage));
  }

  /** Every event, by sequence. */
  public List<Event> events() {
    List<Event> events = new ArrayList<>(table.readAll());
    long folded = table.lastFoldedUpdate();
    for (long number : journal.updateNumbers()) {
      if (number > folded) {
        events.addAll(journal.read(number));
      }
    }
    events.sort(Comparator.comparingLong(Event::sequence));
    // an event written again by a later update (a commit's event, when a crash cut it from its
    // record of having been logged) has its id: it is one event
    java.util.Set<String> ids = new java.util.HashSet<>();
    events.removeIf(e -> !ids.add(e.id()));
    return events;
  }

  /** The events of type {@code type} (e.g. {@code flow_progress}), by sequence. */
  public List<Event> events(String type) {
    return events().stream().filter(e -> e.eventType().equals(type)).toList();
  }

  /**
   * The data quality of update {@code updateId}: per dataset and expectation, the passed and failed
   * records summed over its METRICS events.
   */
  public static Map<String, ExpectationTotals> dataQuality(List<Event> events, String updateId) {
    Map<String, ExpectationTotals> totals = new LinkedHashMap<>();
    for (Event event : events) {
      if (!event.origin().updateId().equals(updateId) || event.level() != Event.Level.METRICS) {
        continue;
      }
      JsonNode expectations =
          event.detailsJson().path("flow_progress").path("data_quality").path("expectations");
      for (JsonNode e : expectations) {
        String dataset = e.path("dataset").asText();
        String name = e.path("name").asText();
        totals.merge(
            dataset + "." + name,
            new ExpectationTotals(
                dataset,
                name,
                e.path("passed_records").asLong(),
                e.path("failed_records").asLong()),
            ExpectationTotals::plus);
      }
    }
    return totals;
  }

  /** The id of the last update with a {@code create_update} event, if any. */
  public static Optional<String> lastUpdateId(List<Event> events) {
    return events.stream()
        .filter(e -> e.eventType().equals(EventType.CREATE_UPDATE.value()))
        .reduce((a, b) -> b)
        .map(e -> e.origin().updateId());
  }

  /** An expectation's counts over an update. */
  public record ExpectationTotals(String dataset, String name, long passed, long failed) {
    ExpectationTotals plus(ExpectationTotals other) {
      return new ExpectationTotals(dataset, name, passed + other.passed, failed + other.failed);
    }

    /** Passed records as a percentage of all, 100 when there were none. */
    public double passRate() {
      long all = passed + failed;
      return all == 0 ? 100.0 : 100.0 * passed / all;
    }
  }
}
