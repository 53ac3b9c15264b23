package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Updates that ended without closing: their process was killed (or its machine lost) while the
 * update's record in {@code <storage>/_tributary/updates/<n>.json} still said it was running. The
 * next update, which holds the pipeline's lock and so knows no other update runs, closes each as
 * FAILED with what is known: when it started and its last sign of life (its last journaled event, or
 * the last heartbeat of the lock it held). Jobs it left running on a remote cluster are named in its
 * record and stopped by the engine before the update runs anything.
 */
final class AbandonedUpdates {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> ENDED =
      Set.of(UpdateState.COMPLETED.name(), UpdateState.FAILED.name(), UpdateState.STOPPED.name());

  private AbandonedUpdates() {}

  /**
   * An update that ended without closing, as found and closed.
   *
   * @param lastSeen its last event or lock heartbeat; its start if it left neither
   */
  record Closed(long number, String updateId, Instant started, Instant lastSeen, String reason) {}

  /**
   * Closes every update numbered below {@code current} whose record says it has not ended: the record
   * becomes FAILED with the reason, its start, its last sign of life and the update that closed it.
   * Reads the journal of each before it is folded (the caller folds after), for its last event.
   *
   * @param lockTakenOver the stale lock {@code current} took over, which names its update and heartbeat
   */
  static List<Closed> close(
      PipelineStorage storage,
      EventJournal journal,
      long current,
      Optional<PipelineLock.Holder> lockTakenOver) {
    List<Closed> closed = new ArrayList<>();
    for (Path file : records(storage)) {
      long number =
          Long.parseLong(file.getName().substring(0, file.getName().length() - ".json".length()));
      if (number >= current) {
        continue;
      }
      Optional<String> text = storage.readText(file);
      if (text.isEmpty()) {
        continue;
      }
      ObjectNode record;
      try {
        record = (ObjectNode) JSON.readTree(text.get());
      } catch (IOException | ClassCastException e) {
        continue; // not a record this release wrote: left as it is
      }
      if (ENDED.contains(record.path("state").asText())) {
        continue;
      }
      String updateId = record.path("update_id").asText();
      Instant started = instant(record, "started").orElse(Instant.EPOCH);
      Instant lastSeen =
          journal.read(number).stream()
              .map(Event::timestamp)
              .max(Comparator.naturalOrder())
              .orElse(started);
      Optional<PipelineLock.Holder> lock =
          lockTakenOver.filter(
              h -> h.updateNumber().isPresent() && h.updateNumber().getAsLong() == number);
      if (lock.isPresent() && lock.get().heartbeat().isAfter(lastSeen)) {
        lastSeen = lock.get().heartbeat();
      }
      String reason =
          "Update "
              + number
              + " ended without closing: the process running it stopped without ending"
              + " it (killed, or its machine lost)"
              + lock.map(h -> " (" + "process " + h.pid() + " on host " + h.host() + ")").orElse("")
              + "; last sign of life "
              + lastSeen
              + ". Update "
              + current
              + " closed it as FAILED. Its tables keep"
              + " what it committed; the next updates continue from its last checkpoint."
              + clusterJobs(record);
      record.put("state", UpdateState.FAILED.name());
      record.put("duration_ms", Math.max(0, Duration.between(started, lastSeen).toMillis()));
      record.put("ended_without_closing", true);
      record.put("last_seen", lastSeen.toString());
      record.put("closed_by_update", current);
      record.put("error", reason);
      try {
        storage.writeAtomically(file, JSON.writeValueAsString(record) + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      closed.add(new Closed(number, updateId, started, lastSeen, reason));
    }
    return closed;
  }

  /**
   * What becomes of the jobs a closed update submitted to a remote cluster (its record names them as
   * submitted): they outlive its client, and the update closing it stops those still running before it
   * runs anything (the engine's {@code LeftRunningJobs}).
   */
  private static String clusterJobs(JsonNode record) {
    int jobs = record.path("jobs").size();
    if (!record.hasNonNull("cluster") || jobs == 0) {
      return "";
    }
    return " It submitted "
        + jobs
        + " job"
        + (jobs == 1 ? "" : "s")
        + " to the Flink cluster at "
        + record.path("cluster").asText()
        + ", which run on without it: those still running are stopped (a"
        + " streaming job with a savepoint) before this update starts.";
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
      files.sort(Comparator.comparing(Path::getName));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the updates under " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Instant> instant(JsonNode node, String field) {
    try {
      return node.hasNonNull(field)
          ? Optional.of(Instant.parse(node.get(field).asText()))
          : Optional.empty();
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
