package io.tributary.runtime.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An update's number and its record, {@code <storage>/_tributary/updates/<n>.json}: written RUNNING
 * when the update starts (which reserves the number) and rewritten with the update's end.
 */
final class UpdateRecord {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PipelineStorage storage;
  private final long number;
  private final Instant start;

  private UpdateRecord(PipelineStorage storage, long number, Instant start) {
    this.storage = storage;
    this.number = number;
    this.start = start;
  }

  /**
   * Reserves the next update number by creating its RUNNING record (create-if-absent), so an update
   * that dies before its end is never numbered again: a materialized table's overwrite version
   * derives from it.
   */
  static UpdateRecord reserve(PipelineStorage storage, String pipeline, String updateId, Instant start) {
    for (long number = UpdateEventLog.updateNumber(storage, nextNumber(storage)); ; number++) {
      String record = "{\"pipeline\": \"" + pipeline + "\", \"update_id\": \"" + updateId + "\", \"number\": "
          + number + ", \"state\": \"RUNNING\", \"started\": \"" + start + "\"}\n";
      if (storage.createIfAbsent(path(storage, number), record)) {
        return new UpdateRecord(storage, number, start);
      }
    }
  }

  long number() {
    return number;
  }

  Instant start() {
    return start;
  }

  /** Replaces the RUNNING record with how the update ended. */
  void write(UpdateResult result) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("pipeline", result.pipeline());
    record.put("update_id", result.updateId());
    record.put("number", result.number());
    record.put("state", result.state().name());
    record.put("started", start.toString());
    record.put("duration_ms", result.duration().toMillis());
    result.error().ifPresent(e -> record.put("error", e));
    List<Map<String, Object>> flows = new ArrayList<>();
    for (FlowResult flow : result.flows()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dataset", flow.dataset());
      entry.put("job", flow.job());
      entry.put("state", flow.state().name());
      flow.error().ifPresent(e -> entry.put("error", e));
      flows.add(entry);
    }
    record.put("flows", flows);
    try {
      storage.writeAtomically(path(storage, result.number()), JSON.writeValueAsString(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
      throw new UncheckedIOException("Cannot list the updates under " + dir + ": " + e.getMessage(), e);
    }
  }
}
