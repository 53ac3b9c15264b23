package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.runtime.delta.read.DeltaCommitRows;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/** What the reliability tests check of every table: its rows, and one exact flow_progress per commit. */
final class ExactlyOnceChecks {

  private ExactlyOnceChecks() {}

  /** The rows of {@code table} under {@code storage}, each as its sorted map's text, sorted. */
  static List<String> rows(Path storage, String table) {
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> row :
        PipelineTables.open(storage.toString()).table(table).rowsAsMaps()) {
      rows.add(new TreeMap<>(row).toString());
    }
    rows.sort(null);
    return rows;
  }

  /** The data commits of {@code table}: table version to its added rows less its deleted rows. */
  static Map<Long, Long> dataCommits(Path storage, String table) {
    return dataCommits(storage, table, Set.of());
  }

  /** The data commits of {@code table} less those of the transaction app ids {@code others}. */
  static Map<Long, Long> dataCommits(Path storage, String table, Set<String> others) {
    Map<Long, Long> committed = new TreeMap<>();
    for (DeltaCommitRows.Commit commit :
        DeltaCommitRows.read(
            storage.resolve("tables").resolve(table).toString(), new Configuration())) {
      if (commit.appId().isPresent()
          && !others.contains(commit.appId().get())
          && commit.adds() + commit.removes() > 0) {
        committed.put(commit.version(), commit.addedRows() - commit.deletedRows());
      }
    }
    return committed;
  }

  /**
   * Every data commit of each of {@code tables} has exactly one flow_progress event naming its table
   * version, with the commit's added rows less its deleted rows; no event names another version.
   */
  static void assertOneExactEventPerDataCommit(Path storage, List<String> tables) {
    assertOneExactEventPerDataCommit(storage, tables, Set.of());
  }

  /** As above, for the commits of the pipeline: those of the transaction app ids {@code others} aside. */
  static void assertOneExactEventPerDataCommit(
      Path storage, List<String> tables, Set<String> others) {
    List<Event> events =
        EventLog.of(PipelineStorage.at(storage.toString(), new Configuration())).events();
    for (String table : tables) {
      Map<Long, List<Long>> logged = new TreeMap<>();
      for (Event event : events) {
        JsonNode progress = event.detailsJson().path("flow_progress");
        if (event.level() == Event.Level.METRICS
            && event.origin().dataset().orElse("").equals(table)
            && progress.has("table_version")) {
          logged
              .computeIfAbsent(progress.path("table_version").asLong(), v -> new ArrayList<>())
              .add(progress.path("metrics").path("num_output_rows").asLong());
        }
      }
      Map<Long, List<Long>> expected = new TreeMap<>();
      dataCommits(storage, table, others)
          .forEach((version, rows) -> expected.put(version, List.of(rows)));
      assertThat(logged)
          .as("flow_progress events of %s (table version -> rows)", table)
          .isEqualTo(expected);
    }
  }
}
