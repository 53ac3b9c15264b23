package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.quality.DataQuality;
import io.tributary.quality.ExpectationResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code flow_progress} METRICS event of one flow's epoch, as DLT writes it (data quality only
 * for a flow with expectations):
 * {@code {"flow_progress": {"status": "RUNNING", "metrics": {"num_output_rows": n}, "data_quality":
 * {"dropped_records": d, "expectations": [{"name", "dataset", "passed_records", "failed_records"}]}}}}.
 * A per-epoch event's id is derived from (update, flow, epoch), a commit's from its transaction (app
 * id, version), so the same epoch or commit logged twice is one event. A commit's event also names
 * its {@code table_version} and has {@code num_added_rows} and {@code num_deleted_rows}, and when
 * known its {@code commit_latency_ms}: from the trigger of the checkpoint that closed its (oldest)
 * epoch to the Delta commit being durable.
 */
public final class FlowProgressEvents {

  private static final ObjectMapper JSON = new ObjectMapper();

  private FlowProgressEvents() {}

  /**
   * The event of one Delta commit of {@code flow}'s table: its table version, the rows it added less
   * those it deleted, and the expectation counts of the epochs it covers ({@code quality} null for a
   * flow without expectations). Its id derives from the commit's transaction, so it is one per commit.
   */
  public static Event ofCommit(
      String pipeline,
      String updateId,
      String flow,
      String dataset,
      CommitProgress.Commit commit,
      DataQuality quality,
      Instant time) {
    ObjectNode details = JSON.createObjectNode();
    ObjectNode progress = details.putObject("flow_progress");
    progress.put("status", "RUNNING");
    progress.put("epoch", Long.toString(commit.transactionVersion()));
    progress.put("table_version", commit.tableVersion());
    commit.latencyMillis().ifPresent(ms -> progress.put("commit_latency_ms", ms));
    progress
        .putObject("metrics")
        .put("num_output_rows", commit.outputRows())
        .put("num_added_rows", commit.addedRows())
        .put("num_deleted_rows", commit.deletedRows());
    String message =
        "Flow '"
            + flow
            + "' committed epoch "
            + commit.transactionVersion()
            + " as table version "
            + commit.tableVersion()
            + ": "
            + commit.outputRows()
            + " rows written";
    if (quality != null) {
      message += ", " + quality.droppedRecords() + " dropped by expectations";
      putQuality(progress, quality);
    }
    String id =
        UUID.nameUUIDFromBytes(
                (commit.appId() + "/" + commit.transactionVersion())
                    .getBytes(StandardCharsets.UTF_8))
            .toString();
    return new Event(
        id,
        0,
        Event.Origin.flow(pipeline, updateId, flow, dataset),
        time,
        Event.Level.METRICS,
        message + ".",
        Optional.empty(),
        details.toString(),
        EventType.FLOW_PROGRESS.value());
  }

  private static void putQuality(ObjectNode progress, DataQuality counts) {
    ObjectNode quality = progress.putObject("data_quality");
    quality.put("dropped_records", counts.droppedRecords());
    ArrayNode expectations = quality.putArray("expectations");
    for (ExpectationResult e : counts.expectations()) {
      expectations
          .addObject()
          .put("name", e.name())
          .put("dataset", e.dataset())
          .put("passed_records", e.passedRecords())
          .put("failed_records", e.failedRecords());
    }
  }

  /**
   * The event of {@code metrics}, the sum over every subtask of epoch {@code epoch} of {@code flow}.
   *
   * @param epoch the checkpoint id that committed the epoch, or {@code "end"} for a bounded job's only one
   */
  public static Event of(
      String pipeline,
      String updateId,
      String flow,
      String dataset,
      String epoch,
      FlowMetrics metrics,
      Instant time) {
    ObjectNode details = JSON.createObjectNode();
    ObjectNode progress = details.putObject("flow_progress");
    progress.put("status", "RUNNING");
    progress.put("epoch", epoch);
    progress.putObject("metrics").put("num_output_rows", metrics.outputRows());
    DataQuality counts = metrics.quality();
    String message =
        "Flow '"
            + flow
            + "' committed epoch "
            + epoch
            + ": "
            + metrics.outputRows()
            + " rows written";
    if (counts != null) {
      putQuality(progress, counts);
      message += ", " + counts.droppedRecords() + " dropped by expectations";
    }
    String id =
        UUID.nameUUIDFromBytes(
                (updateId + "/" + flow + "/" + epoch).getBytes(StandardCharsets.UTF_8))
            .toString();
    return new Event(
        id,
        0,
        Event.Origin.flow(pipeline, updateId, flow, dataset),
        time,
        Event.Level.METRICS,
        message + ".",
        Optional.empty(),
        details.toString(),
        EventType.FLOW_PROGRESS.value());
  }
}
