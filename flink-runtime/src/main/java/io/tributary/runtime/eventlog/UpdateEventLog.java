package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Expectation;
import io.tributary.dsl.plan.Flow;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The events of one running update, written to the journal as they happen: {@code user_action},
 * {@code create_update}, {@code update_progress}, one {@code flow_definition} per flow (its inputs
 * and output: the lineage of the resolved plan), and a {@code flow_progress} per flow state change
 * (through {@link #listener}). {@link #end} logs the final state and folds the journal into the
 * event log table.
 *
 * <pre>{@code
 * UpdateEventLog events =
 *     UpdateEventLog.begin(storage, plan, updateId, number, fullRefresh, redaction);
 * UpdateListener listener = events.listener(userListener);
 * ... run the flows ...
 * events.end(result);
 * }</pre>
 */
public final class UpdateEventLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventJournal journal;
  private final EventLogTable table;
  private final String pipeline;
  private final String updateId;
  private final long number;

  /** Takes the pipeline's secrets out of every message, error and detail before it is written. */
  private final Redaction redaction;

  /** The flows each name the runner reports on stands for: a job's dataset, or a once job's flow. */
  private final Map<String, List<Flow>> flowsReportedAs;

  private final List<String> notices = new ArrayList<>();
  private volatile boolean ended;

  private UpdateEventLog(
      PipelineStorage storage,
      LogicalPlan plan,
      String updateId,
      long number,
      Redaction redaction) {
    this.journal = journal(storage);
    this.redaction = redaction;
    this.table = table(storage);
    this.pipeline = plan.pipeline();
    this.updateId = updateId;
    this.number = number;
    Map<String, List<Flow>> flows = new HashMap<>();
    for (Flow flow : plan.flows()) {
      boolean once = flowType(flow, Optional.empty()).equals("APPEND_ONCE");
      flows.computeIfAbsent(once ? flow.name() : flow.target(), k -> new ArrayList<>()).add(flow);
    }
    this.flowsReportedAs = Collections.unmodifiableMap(flows);
  }

  /** The event log's {@code flow_type} of {@code flow}; a query flow's is its target's kind. */
  static String flowType(Flow flow, Optional<DatasetSpec> target) {
    return flow.match(
        new Flow.Cases<>() {
          @Override
          public String query(Flow.QueryFlow query) {
            return target.map(d -> d.kind().name()).orElse("UNKNOWN");
          }

          @Override
          public String applyChanges(Flow.ApplyChangesFlow applyChanges) {
            return "APPLY_CHANGES";
          }

          @Override
          public String append(Flow.AppendFlow append) {
            return append.spec().once() ? "APPEND_ONCE" : "APPEND";
          }

          @Override
          public String snapshotChanges(Flow.SnapshotChangesFlow snapshotChanges) {
            return "APPLY_CHANGES_FROM_SNAPSHOT";
          }
        });
  }

  /** The journal of the pipeline stored under {@code storage}. */
  public static EventJournal journal(PipelineStorage storage) {
    return new EventJournal(storage.eventsDir(), storage.hadoopConf());
  }

  /** The event log table of the pipeline stored under {@code storage}. */
  public static EventLogTable table(PipelineStorage storage) {
    return new EventLogTable(storage.eventLogPath(), storage.hadoopConf());
  }

  /**
   * The number for a new update: at least {@code candidate}, and above every update the journal or the
   * table knows, so an update that crashed before recording itself does not share its number (and its
   * journal) with the next one.
   */
  public static long updateNumber(PipelineStorage storage, long candidate) {
    long highest =
        Math.max(
            table(storage).lastFoldedUpdate(),
            journal(storage).updateNumbers().stream().mapToLong(Long::longValue).max().orElse(0));
    return Math.max(candidate, highest + 1);
  }

  /**
   * Starts the log of a new update: names it in the pipeline's lock this process holds, closes the
   * updates that ended without closing (their process was killed) as FAILED, folds what earlier
   * (crashed) updates left in the journal, then logs the start, the update's creation, the stale lock
   * it took over and the updates it closed (also as {@link #notices()}), and every flow's definition.
   * Every event's message, error and details are written without {@code redaction}'s secrets.
   */
  public static UpdateEventLog begin(
      PipelineStorage storage,
      LogicalPlan plan,
      String updateId,
      long number,
      boolean fullRefresh,
      Redaction redaction) {
    UpdateEventLog log = new UpdateEventLog(storage, plan, updateId, number, redaction);
    Optional<PipelineLock> lock = PipelineLock.heldHere(storage);
    lock.ifPresent(l -> l.nameUpdate(number, updateId));
    Optional<PipelineLock.Holder> stale = lock.flatMap(PipelineLock::takenOver);
    // only once this process holds the lock: no other update runs, so a running record is abandoned
    List<AbandonedUpdates.Closed> abandoned =
        lock.isPresent() ? AbandonedUpdates.close(storage, log.journal, number, stale) : List.of();
    log.table.fold(log.journal, number - 1);
    log.userAction("START");
    ObjectNode create = JSON.createObjectNode();
    create
        .putObject("create_update")
        .put("update_number", number)
        .put("full_refresh", fullRefresh)
        .put("cause", "USER_ACTION");
    log.append(
        Event.Origin.update(log.pipeline, updateId),
        EventType.CREATE_UPDATE,
        Event.Level.INFO,
        "Update "
            + number
            + " ("
            + updateId
            + ") started"
            + (fullRefresh ? " with a full refresh." : "."),
        Optional.empty(),
        create);
    stale.ifPresent(log::lockTakenOver);
    abandoned.forEach(log::closedAbandoned);
    log.updateProgress(UpdateState.INITIALIZING, Optional.empty());
    for (Flow flow : plan.flows()) {
      ObjectNode details = JSON.createObjectNode();
      ObjectNode definition = details.putObject("flow_definition");
      definition.put("output_dataset", flow.target());
      ArrayNode inputs = definition.putArray("input_datasets");
      Optional<DatasetSpec> dataset = plan.dataset(flow.target());
      String flowType = flowType(flow, dataset);
      // an append flow has its own inputs; the other flows read what their target's query reads
      (flowType.startsWith("APPEND")
              ? plan.inputsOf(flow.name())
              : plan.queryInputsOf(flow.target()))
          .stream().map(Input::dataset).distinct().forEach(inputs::add);
      definition.put("flow_type", flowType);
      ArrayNode expectations = definition.putArray("expectations");
      dataset.ifPresent(
          d -> {
            for (Expectation e : d.expectations()) {
              expectations
                  .addObject()
                  .put("name", e.name())
                  .put("constraint", e.constraint())
                  .put("action", e.action().name());
            }
          });
      log.append(
          Event.Origin.flow(log.pipeline, updateId, flow.name(), flow.target()),
          EventType.FLOW_DEFINITION,
          Event.Level.INFO,
          "Flow '"
              + flow.name()
              + "' is defined: "
              + inputs.size()
              + " input(s) -> "
              + flow.target()
              + ".",
          Optional.empty(),
          details);
    }
    return log;
  }

  /**
   * What the user should hear before the update runs: whose stale lock it took over, which updates
   * that ended without closing it closed. Also in the log, as {@code pipeline_lock} and {@code
   * update_progress} events.
   */
  public List<String> notices() {
    return List.copyOf(notices);
  }

  private void lockTakenOver(PipelineLock.Holder holder) {
    String message =
        "Took over the pipeline's lock from "
            + holder.describe()
            + ": its heartbeat was older than"
            + " the lease, so that process is gone.";
    ObjectNode details = JSON.createObjectNode();
    ObjectNode taken = details.putObject("pipeline_lock");
    taken
        .put("action", "TAKEN_OVER")
        .put("host", holder.host())
        .put("pid", holder.pid())
        .put("since", holder.since().toString())
        .put("last_heartbeat", holder.heartbeat().toString());
    holder.updateNumber().ifPresent(n -> taken.put("update_number", n));
    holder.updateId().ifPresent(id -> taken.put("update_id", id));
    append(
        Event.Origin.update(pipeline, updateId),
        EventType.PIPELINE_LOCK,
        Event.Level.WARN,
        message,
        Optional.empty(),
        details);
    notices.add(message);
  }

  private void closedAbandoned(AbandonedUpdates.Closed closed) {
    ObjectNode details = JSON.createObjectNode();
    details
        .putObject("update_progress")
        .put("state", UpdateState.FAILED.name())
        .put("ended_without_closing", true)
        .put("started", closed.started().toString())
        .put("last_seen", closed.lastSeen().toString())
        .put("closed_by_update", number);
    append(
        Event.Origin.update(pipeline, closed.updateId()),
        EventType.UPDATE_PROGRESS,
        Event.Level.ERROR,
        "Update " + closed.number() + " is FAILED: it ended without closing.",
        Optional.of(closed.reason()),
        details);
    notices.add(closed.reason());
  }

  /**
   * Logs that this update stopped ({@code how}: SAVEPOINT or CANCELLED) a job that update {@code
   * abandoned}, which ended without closing, had left running on a Flink cluster: a WARN {@code
   * update_progress} event of that update, its details under {@code job_left_running}.
   */
  public void jobLeftRunning(
      long abandoned,
      String abandonedUpdateId,
      String job,
      String jobId,
      String cluster,
      String how,
      Optional<String> savepoint,
      String message) {
    ObjectNode details = JSON.createObjectNode();
    ObjectNode progress = details.putObject("update_progress");
    progress.put("state", UpdateState.FAILED.name()).put("ended_without_closing", true);
    ObjectNode left = progress.putObject("job_left_running");
    left.put("update_number", abandoned)
        .put("job", job)
        .put("job_id", jobId)
        .put("cluster", cluster)
        .put("stopped", how)
        .put("stopped_by_update", number);
    savepoint.ifPresent(path -> left.put("savepoint", path));
    append(
        Event.Origin.update(pipeline, abandonedUpdateId),
        EventType.UPDATE_PROGRESS,
        Event.Level.WARN,
        message,
        Optional.empty(),
        details);
  }

  /**
   * A listener that logs each flow state change as {@code flow_progress}, then tells {@code next},
   * both without the pipeline's secrets.
   */
  public UpdateListener listener(UpdateListener next) {
    return new UpdateListener() {
      @Override
      public void onFlow(String dataset, FlowState state, String detail) {
        try {
          flowProgress(dataset, state, detail);
        } catch (RuntimeException notLogged) {
          // storage that refuses the event of a failed flow: the flow's failure stays the message
          throw state == FlowState.FAILED
              ? failureNotLogged(dataset, detail, notLogged)
              : notLogged;
        }
        // what the terminal shows is what the log holds: without a secret an error quoted
        next.onFlow(dataset, state, redaction.text(detail));
      }

      @Override
      public void onRows(String dataset, long rows) {
        next.onRows(dataset, rows);
      }

      @Override
      public void onNotice(String message) {
        next.onNotice(redaction.text(message));
      }
    };
  }

  /** Flow {@code dataset} failed ({@code detail}), and writing its event failed with {@code error}. */
  private static java.io.UncheckedIOException failureNotLogged(
      String dataset, String detail, RuntimeException error) {
    java.io.IOException cause =
        error instanceof java.io.UncheckedIOException io
            ? io.getCause()
            : new java.io.IOException(error.getMessage(), error);
    return new java.io.UncheckedIOException(
        "Flow '"
            + dataset
            + "' failed: "
            + detail
            + "; writing that to the pipeline's event log failed: "
            + error.getMessage(),
        cause);
  }

  /** Logs an action of a user on the update, e.g. {@code START} or {@code STOP}; ignored after {@link #end}. */
  public void userAction(String action) {
    if (ended) {
      return;
    }
    ObjectNode details = JSON.createObjectNode();
    details.putObject("user_action").put("action", action);
    append(
        Event.Origin.update(pipeline, updateId),
        EventType.USER_ACTION,
        Event.Level.INFO,
        "User requested " + action + " of update " + number + ".",
        Optional.empty(),
        details);
  }

  /** Logs a state change of the whole update. */
  public void updateProgress(UpdateState state, Optional<String> error) {
    ObjectNode details = JSON.createObjectNode();
    details.putObject("update_progress").put("state", state.name());
    Event.Level level = state == UpdateState.FAILED ? Event.Level.ERROR : Event.Level.INFO;
    append(
        Event.Origin.update(pipeline, updateId),
        EventType.UPDATE_PROGRESS,
        level,
        "Update " + number + " is " + state + ".",
        error,
        details);
  }

  /** Logs the update's end state and folds its journal (and any older one) into the event log table. */
  public void end(UpdateResult result) {
    ObjectNode details = JSON.createObjectNode();
    details
        .putObject("update_progress")
        .put("state", result.state().name())
        .put("duration_ms", result.duration().toMillis());
    Event.Level level = result.state() == UpdateState.FAILED ? Event.Level.ERROR : Event.Level.INFO;
    append(
        Event.Origin.update(pipeline, updateId),
        EventType.UPDATE_PROGRESS,
        level,
        "Update " + number + " is " + result.state() + ".",
        result.error(),
        details);
    ended = true;
    table.fold(journal, number);
  }

  /** Logs that the update ended with an error outside any flow, and folds the journal. */
  public void failed(Throwable error) {
    updateProgress(UpdateState.FAILED, Optional.of(String.valueOf(error.getMessage())));
    ended = true;
    table.fold(journal, number);
  }

  /**
   * Logs how this update refreshes materialized table {@code dataset} (DLT's {@code planning_information}):
   * {@code technique} ({@code INCREMENTAL} or {@code COMPLETE_RECOMPUTE}) and the planner's {@code reason}.
   */
  public void planningInformation(String dataset, String technique, String reason) {
    ObjectNode details = JSON.createObjectNode();
    details.putObject("planning_information").put("technique", technique).put("reason", reason);
    append(
        Event.Origin.flow(pipeline, updateId, dataset, dataset),
        EventType.PLANNING_INFORMATION,
        Event.Level.INFO,
        "Table '" + dataset + "' is refreshed by " + technique + ": " + reason + ".",
        Optional.empty(),
        details);
  }

  /**
   * Logs what the maintenance after the update did to {@code dataset}'s table ({@code
   * maintenance_progress}, details under that key); WARN if it failed.
   */
  public void maintenanceProgress(
      String dataset, String message, Optional<String> error, ObjectNode progress) {
    ObjectNode details = JSON.createObjectNode();
    details.set("maintenance_progress", progress);
    append(
        new Event.Origin(pipeline, updateId, Optional.empty(), Optional.of(dataset)),
        EventType.MAINTENANCE_PROGRESS,
        error.isPresent() ? Event.Level.WARN : Event.Level.INFO,
        message,
        error,
        details);
  }

  private void flowProgress(String dataset, FlowState state, String detail) {
    ObjectNode details = JSON.createObjectNode();
    details.putObject("flow_progress").put("status", state.name());
    Event.Level level =
        state == FlowState.FAILED
            ? Event.Level.ERROR
            : state == FlowState.SKIPPED ? Event.Level.WARN : Event.Level.INFO;
    boolean failed = state == FlowState.FAILED;
    List<Map.Entry<String, String>> flows =
        flowsReportedAs.getOrDefault(dataset, List.of()).stream()
            .map(f -> Map.entry(f.name(), f.target()))
            .toList();
    for (Map.Entry<String, String> flow :
        flows.isEmpty() ? List.of(Map.entry(dataset, dataset)) : flows) {
      append(
          Event.Origin.flow(pipeline, updateId, flow.getKey(), flow.getValue()),
          EventType.FLOW_PROGRESS,
          level,
          "Flow '"
              + flow.getKey()
              + "' is "
              + state
              + "."
              + (detail.isEmpty() || failed ? "" : " " + detail),
          failed && !detail.isEmpty() ? Optional.of(detail) : Optional.empty(),
          details);
    }
  }

  private void append(
      Event.Origin origin,
      EventType type,
      Event.Level level,
      String message,
      Optional<String> error,
      ObjectNode details) {
    journal.append(
        number,
        new Event(
            UUID.randomUUID().toString(),
            0,
            origin,
            Instant.now(),
            level,
            redaction.text(message),
            redaction.text(error),
            redaction.json(details).toString(),
            type.value()));
  }
}
