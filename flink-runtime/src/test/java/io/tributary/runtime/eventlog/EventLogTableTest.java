package io.tributary.runtime.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.storage.PipelineStorage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTableTest {

  @TempDir Path dir;

  private PipelineStorage storage() {
    return PipelineStorage.at(dir.toString(), new Configuration());
  }

  static Event event(String id, String updateId, int second, String type) {
    return new Event(
        id,
        0,
        Event.Origin.flow("shop", updateId, "silver", "silver"),
        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second),
        Event.Level.INFO,
        "message " + id,
        id.endsWith("x") ? Optional.of("boom") : Optional.empty(),
        "{\"flow_progress\":{\"status\":\"RUNNING\"}}",
        type);
  }

  @Test
  void theJournalKeepsOneEventPerIdAndSequencesThemByTime() {
    EventJournal journal = UpdateEventLog.journal(storage());

    assertThat(journal.append(3, event("b", "u3", 2, "flow_progress"))).isTrue();
    assertThat(journal.append(3, event("a", "u3", 1, "flow_progress"))).isTrue();
    assertThat(journal.append(3, event("a", "u3", 5, "flow_progress")))
        .as("same id: already there")
        .isFalse();

    assertThat(journal.read(3))
        .extracting(Event::id, Event::sequence)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 3_000_001L),
            org.assertj.core.groups.Tuple.tuple("b", 3_000_002L));
    assertThat(journal.updateNumbers()).containsExactly(3L);
  }

  @Test
  void foldingMovesEachUpdatesJournalIntoOneCommitAndNeverTwice() {
    PipelineStorage storage = storage();
    EventJournal journal = UpdateEventLog.journal(storage);
    EventLogTable table = UpdateEventLog.table(storage);
    journal.append(1, event("a", "u1", 1, "create_update"));
    journal.append(1, event("bx", "u1", 2, "flow_progress"));
    journal.append(2, event("c", "u2", 3, "create_update"));

    assertThat(table.fold(journal, 1)).isEqualTo(2);

    assertThat(table.lastFoldedUpdate()).isEqualTo(1);
    assertThat(journal.updateNumbers()).containsExactly(2L);
    List<Event> folded = table.readAll();
    assertThat(folded)
        .containsExactly(
            event("a", "u1", 1, "create_update").withSequence(1_000_001),
            event("bx", "u1", 2, "flow_progress").withSequence(1_000_002));
    assertThat(EventLog.of(storage).events()).extracting(Event::id).containsExactly("a", "bx", "c");

    // a crash after the commit and before the journal's deletion leaves update 1's journal behind
    journal.append(1, event("a", "u1", 1, "create_update"));
    assertThat(table.fold(journal, 2)).as("update 1 is skipped by its transaction id").isEqualTo(1);

    assertThat(table.readAll()).extracting(Event::id).containsExactly("a", "bx", "c");
    assertThat(journal.updateNumbers()).isEmpty();
    assertThat(table.lastFoldedUpdate()).isEqualTo(2);
  }

  @Test
  void deltaStandaloneReadsTheFoldedTable() throws Exception {
    // Standalone's Parquet reader cannot read INT64 microsecond timestamps (as for every table
    // here): not read

    PipelineStorage storage = storage();
    EventJournal journal = UpdateEventLog.journal(storage);
    journal.append(1, event("a", "u1", 1, "create_update"));
    journal.append(1, event("bx", "u1", 2, "flow_progress"));
    UpdateEventLog.table(storage).fold(journal, 1);

    List<String> rows = new java.util.ArrayList<>();
    try (io.delta.standalone.data.CloseableIterator<io.delta.standalone.data.RowRecord> it =
        io.delta.standalone.DeltaLog.forTable(new Configuration(), storage.eventLogPath())
            .snapshot()
            .open()) {
      while (it.hasNext()) {
        io.delta.standalone.data.RowRecord r = it.next();
        rows.add(
            r.getLong("sequence")
                + " "
                + r.getString("id")
                + " "
                + r.getRecord("origin").getString("update_id")
                + " "
                + r.getRecord("origin").getString("dataset")
                + " "
                + r.getString("level")
                + " "
                + (r.isNullAt("error") ? "-" : r.getString("error"))
                + " "
                + r.getString("event_type")
                + " "
                + r.getString("details"));
      }
    }
    assertThat(rows)
        .containsExactlyInAnyOrder(
            "1000001 a u1 silver INFO - create_update {\"flow_progress\":{\"status\":\"RUNNING\"}}",
            "1000002 bx u1 silver INFO boom flow_progress {\"flow_progress\":{\"status\":\"RUNNING\"}}");
  }

  @Test
  void aNewUpdateNumberIsAboveEveryJournalAndFold() {
    PipelineStorage storage = storage();
    EventJournal journal = UpdateEventLog.journal(storage);
    assertThat(UpdateEventLog.updateNumber(storage, 1)).isEqualTo(1);
    journal.append(4, event("a", "u4", 1, "create_update"));
    assertThat(UpdateEventLog.updateNumber(storage, 2))
        .as("update 4 crashed before recording itself")
        .isEqualTo(5);
    UpdateEventLog.table(storage).fold(journal, 4);
    assertThat(UpdateEventLog.updateNumber(storage, 2)).isEqualTo(5);
    assertThat(UpdateEventLog.updateNumber(storage, 7)).isEqualTo(7);
  }
}
