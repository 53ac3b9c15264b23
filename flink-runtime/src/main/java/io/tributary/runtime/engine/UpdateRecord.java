package io.tributary.runtime.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.eventlog.Redaction;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An update's number and its record, {@code <storage>/_tributary/updates/<n>.json}: written RUNNING
 * when the update starts (which reserves the number), rewritten as each job is submitted (its name,
 * mode and Flink job id, and the address of the cluster it runs on, so that the jobs of a client
 * killed mid-update can be found and stopped by the next update: {@link #leftRunning}) and with the
 * update's end.
 *
 * <pre>{@code
 * {"pipeline": "shop", "update_id": "…", "number": 7, "state": "RUNNING", "started": "…",
 *  "cluster": "flink-jm:8081",
 *  "jobs": [{"job": "bronze_orders", "mode": "STREAMING", "job_id": "5c0f…"}]}
 * }</pre>
 */
final class UpdateRecord {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PipelineStorage storage;
  private final String pipeline;
  private final String updateId;
  private final long number;
  private final Instant start;

  /** Takes the pipeline's secrets out of the errors the record quotes. */
  private final Redaction redaction;

  /** The jobs submitted so far, in order, and the cluster they run on (once one is submitted there). */
  private final List<Map<String, Object>> jobs = new ArrayList<>();

  private final Map<String, CompletableFuture<?>> results = new java.util.HashMap<>();
  private String cluster;

  private UpdateRecord(
      PipelineStorage storage,
      String pipeline,
      String updateId,
      long number,
      Instant start,
      Redaction redaction) {
    this.storage = storage;
    this.redaction = redaction;
    this.pipeline = pipeline;
    this.updateId = updateId;
    this.number = number;
    this.start = start;
  }

  /**
   * Reserves the next update number by creating its RUNNING record (create-if-absent), so an update
   * that dies before its end is never numbered again: a materialized table's overwrite version
   * derives from it. The errors it records later are written without {@code redaction}'s secrets.
   */
  static UpdateRecord reserve(
      PipelineStorage storage,
      String pipeline,
      String updateId,
      Instant start,
      Redaction redaction) {
    for (long number = UpdateEventLog.updateNumber(storage, nextNumber(storage)); ; number++) {
      String record =
          "{\"pipeline\": \""
              + pipeline
              + "\", \"update_id\": \""
              + updateId
              + "\", \"number\": "
              + number
              + ", \"state\": \"RUNNING\", \"started\": \""
              + start
              + "\"}\n";
      if (storage.createIfAbsent(path(storage, number), record)) {
        return new UpdateRecord(storage, pipeline, updateId, number, start, redaction);
      }
    }
  }

  long number() {
    return number;
  }

  Instant start() {
    return start;
  }

  /**
   * Adds a job to the RUNNING record before it is submitted (its id is chosen beforehand), so a client
   * killed right after the submission still leaves the job's id behind; an id the cluster never saw
   * is skipped by the next update.
   *
   * @param cluster the address of the cluster it runs on; empty when it runs in this process
   */
  synchronized void jobSubmitting(String job, String mode, String jobId, Optional<String> cluster) {
    // a continuous update recomputes its materialized tables again and again: the batch jobs that
    // ended leave the record, which so names the jobs that may run now and stays small
    jobs.removeIf(
        entry ->
            "BATCH".equals(entry.get("mode"))
                && Optional.ofNullable(results.get((String) entry.get("job_id")))
                    .map(CompletableFuture::isDone)
                    .orElse(false));
    results.keySet().retainAll(jobs.stream().map(entry -> (String) entry.get("job_id")).toList());
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("job", job);
    entry.put("mode", mode);
    entry.put("job_id", jobId);
    jobs.add(entry);
    cluster.ifPresent(address -> this.cluster = address);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("pipeline", pipeline);
    record.put("update_id", updateId);
    record.put("number", number);
    record.put("state", "RUNNING");
    record.put("started", start.toString());
    putJobs(record);
    write(path(storage, number), record);
  }

  /** Tells the record the end of job {@code jobId}, once it comes. */
  synchronized void jobSubmitted(String jobId, CompletableFuture<?> result) {
    results.put(jobId, result);
  }

  private void putJobs(Map<String, Object> record) {
    if (cluster != null) {
      record.put("cluster", cluster);
    }
    if (!jobs.isEmpty()) {
      record.put("jobs", List.copyOf(jobs));
    }
  }

  /** Replaces the RUNNING record with how the update ended. */
  /**
   * The update ended as {@code result}, but writing that to the pipeline's storage failed with
   * {@code error}: a storage failure whose message says first how the update ended.
   */
  static java.io.UncheckedIOException notWritten(UpdateResult result, RuntimeException error) {
    String ended =
        "Update "
            + result.number()
            + " of pipeline '"
            + result.pipeline()
            + "' ended "
            + result.state()
            + result
                .error()
                .map(e -> ": " + e)
                .orElse(
                    result.state() == io.tributary.runtime.UpdateState.COMPLETED
                        ? " (its tables are committed)"
                        : "")
            + "; writing that to the pipeline's storage failed: "
            + error.getMessage();
    java.io.IOException cause =
        error instanceof java.io.UncheckedIOException io
            ? io.getCause()
            : new java.io.IOException(error.getMessage(), error);
    return new java.io.UncheckedIOException(ended, cause);
  }

  synchronized void write(UpdateResult result) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("pipeline", result.pipeline());
    record.put("update_id", result.updateId());
    record.put("number", result.number());
    record.put("state", result.state().name());
    record.put("started", start.toString());
    record.put("duration_ms", result.duration().toMillis());
    result.error().ifPresent(e -> record.put("error", redaction.text(e)));
    List<Map<String, Object>> flows = new ArrayList<>();
    for (FlowResult flow : result.flows()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dataset", flow.dataset());
      entry.put("job", flow.job());
      entry.put("state", flow.state().name());
      flow.error().ifPresent(e -> entry.put("error", redaction.text(e)));
      flows.add(entry);
    }
    record.put("flows", flows);
    putJobs(record);
    write(path(storage, result.number()), record);
  }

  private void write(Path file, Object record) {
    try {
      storage.writeAtomically(file, JSON.writeValueAsString(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A job an update that ended without closing (its client was killed) submitted to a cluster, and no
   * later update has dealt with yet: it may still run there.
   */
  record LeftJob(
      long update, String updateId, String cluster, String job, String mode, String jobId) {}

  /**
   * The jobs on a cluster of every update below {@code current} that ended without closing (closed as
   * FAILED by the update that found it, see {@code AbandonedUpdates}) which no update has stopped yet.
   */
  static List<LeftJob> leftRunning(PipelineStorage storage, long current) {
    List<LeftJob> left = new ArrayList<>();
    for (Path file : records(storage)) {
      long number =
          Long.parseLong(file.getName().substring(0, file.getName().length() - ".json".length()));
      if (number >= current) {
        continue;
      }
      Optional<ObjectNode> record =
          read(storage, file)
              .filter(
                  r ->
                      r.path("ended_without_closing").asBoolean()
                          && r.hasNonNull("cluster")
                          && r.path("jobs").isArray());
      if (record.isEmpty()) {
        continue;
      }
      for (JsonNode job : record.get().path("jobs")) {
        if (!job.has("stopped_by_update")) {
          left.add(
              new LeftJob(
                  number,
                  record.get().path("update_id").asText(),
                  record.get().path("cluster").asText(),
                  job.path("job").asText(),
                  job.path("mode").asText(),
                  job.path("job_id").asText()));
        }
      }
    }
    return left;
  }

  /**
   * Notes in the record of {@code job}'s update that update {@code current} dealt with it ({@code how}:
   * SAVEPOINT, CANCELLED or ENDED), so no later update does again.
   */
  static void markStopped(
      PipelineStorage storage, LeftJob job, long current, String how, Optional<String> savepoint) {
    Path file = path(storage, job.update());
    ObjectNode record =
        read(storage, file)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "The record of update "
                            + job.update()
                            + " ("
                            + file
                            + ") is gone while its job "
                            + job.jobId()
                            + " was being stopped."));
    for (JsonNode entry : record.path("jobs")) {
      if (entry instanceof ObjectNode node && node.path("job_id").asText().equals(job.jobId())) {
        node.put("stopped_by_update", current);
        node.put("stopped", how);
        savepoint.ifPresent(path -> node.put("savepoint", path));
      }
    }
    try {
      storage.writeAtomically(file, JSON.writeValueAsString(record) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<ObjectNode> read(PipelineStorage storage, Path file) {
    try {
      return storage
          .readText(file)
          .map(
              text -> {
                try {
                  return JSON.readTree(text) instanceof ObjectNode node ? node : null;
                } catch (IOException notJson) {
                  return null; // not a record this release wrote: left as it is
                }
              });
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(
          "Cannot read the update record " + file + ": " + e.getMessage(), e.getCause());
    }
  }

  private static List<Path> records(PipelineStorage storage) {
    Path dir = new Path(storage.updatesDir());
    try {
      FileSystem fs = dir.getFileSystem(storage.hadoopConf());
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<Path> files = new ArrayList<>();
      for (FileStatus status : fs.listStatus(dir)) {
        if (status.getPath().getName().matches("\\d+\\.json")) {
          files.add(status.getPath());
        }
      }
      files.sort(java.util.Comparator.comparing(Path::getName));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the updates under " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Path path(PipelineStorage storage, long number) {
    return new Path(storage.updatesDir(), String.format("%06d.json", number));
  }

  private static long nextNumber(PipelineStorage storage) {
    Path dir = new Path(storage.updatesDir());
    try {
      FileSystem fs = dir.getFileSystem(storage.hadoopConf());
      long max = 0;
      if (fs.exists(dir)) {
        for (FileStatus status : fs.listStatus(dir)) {
          String name = status.getPath().getName();
          if (name.matches("\\d+\\.json")) {
            max = Math.max(max, Long.parseLong(name.substring(0, name.length() - 5)));
          }
        }
      }
      return max + 1;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the updates under " + dir + ": " + e.getMessage(), e);
    }
  }
}
