package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The durable, append-only journal of events not yet folded into the event log table:
 * {@code <storage>/_tributary/events/<update number>/<event id>.json}, one small file per event.
 *
 * <p>Why one file per event rather than a JSON-lines file per update: appending is not possible on
 * object stores (S3 has no append and no {@code hsync}), and more than one process writes an update's
 * events (the runner, and the data quality operator inside a Flink task, possibly on another
 * machine). A file per event needs neither append nor a lock; each file is written under a hidden
 * temporary name, synced, and renamed, so after a crash an event is whole or absent. Its name is the
 * event's id, so writing the same event twice (an epoch's metrics after a restore) keeps one
 * ({@link #append} is idempotent). The cost, a few small files per flow and epoch, is bounded: an
 * update's folder is deleted once it has been folded into the Delta table.
 */
public final class EventJournal {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Configuration conf;

  public EventJournal(String eventsDir, Configuration conf) {
    this.dir = new Path(eventsDir);
    this.conf = conf;
  }

  /**
   * Writes {@code event} into update {@code updateNumber}'s journal, durably, unless an event with its
   * id is there already.
   *
   * @return whether it was written (false: it was already there)
   */
  public boolean append(long updateNumber, Event event) {
    Path folder = updateDir(updateNumber);
    Path target = new Path(folder, event.id() + SUFFIX);
    Path temp = new Path(folder, "." + event.id() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = folder.getFileSystem(conf);
      if (fs.exists(target)) {
        return false;
      }
      fs.mkdirs(folder);
      try (FSDataOutputStream out = fs.create(temp, false)) {
        out.write(JSON.writeValueAsBytes(event.toJson()));
        out.hsync();
      }
      if (!fs.rename(temp, target)) {
        fs.delete(temp, false);
        if (fs.exists(target)) {
          return false;
        }
        throw new IOException("rename of " + temp + " to " + target + " failed");
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write event "
              + event.id()
              + " ("
              + event.eventType()
              + ") to the event journal "
              + folder
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The numbers of the updates that have a journal, ascending. */
  public List<Long> updateNumbers() {
    List<Long> numbers = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return numbers;
      }
      for (FileStatus status : fs.listStatus(dir)) {
        String name = status.getPath().getName();
        if (status.isDirectory() && name.matches("\\d+")) {
          numbers.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the event journal " + dir + ": " + e.getMessage(), e);
    }
    numbers.sort(Comparator.naturalOrder());
    return numbers;
  }

  /**
   * The events of update {@code updateNumber}, in order of time (ties by id), each with its
   * sequence: {@code updateNumber * 1,000,000 + rank}.
   */
  public List<Event> read(long updateNumber) {
    Path folder = updateDir(updateNumber);
    List<Event> events = new ArrayList<>();
    try {
      FileSystem fs = folder.getFileSystem(conf);
      if (!fs.exists(folder)) {
        return events;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        if (name.startsWith(".") || !name.endsWith(SUFFIX)) {
          continue;
        }
        try (FSDataInputStream in = fs.open(status.getPath())) {
          events.add(
              Event.fromJson(JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the event journal " + folder + ": " + e.getMessage(), e);
    }
    events.sort(Comparator.comparing(Event::timestamp).thenComparing(Event::id));
    List<Event> sequenced = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      sequenced.add(events.get(i).withSequence(updateNumber * Event.SEQUENCES_PER_UPDATE + i + 1));
    }
    return sequenced;
  }

  /** Deletes update {@code updateNumber}'s journal, once its events are in the table. */
  public void delete(long updateNumber) {
    Path folder = updateDir(updateNumber);
    try {
      folder.getFileSystem(conf).delete(folder, true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot delete the folded event journal " + folder + ": " + e.getMessage(), e);
    }
  }

  private Path updateDir(long updateNumber) {
    return new Path(dir, String.format("%06d", updateNumber));
  }
}
