package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.tributary.quality.DataQuality;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventJournal;
import io.tributary.runtime.eventlog.FlowMetrics;
import io.tributary.runtime.eventlog.FlowProgressEvents;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary events} and {@code tributary status} over a storage with a folded and an unfolded update. */
class EventsAndStatusCommandTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir java.nio.file.Path dir;
  private java.nio.file.Path file;
  private PipelineStorage storage;

  @BeforeEach
  void storage() throws Exception {
    java.nio.file.Path root = dir.resolve("storage");
    file = dir.resolve("pipeline.yml");
    Files.writeString(file, "name: shop\nstorage: " + root + "\nlibraries:\n  - no.Such\n");
    storage = PipelineStorage.at(root.toString(), new Configuration());
    EventJournal journal = UpdateEventLog.journal(storage);
    journal.append(
        1,
        event(
            "e1",
            "u1",
            0,
            "create_update",
            Event.Level.INFO,
            "Update 1 started.",
            Optional.empty()));
    journal.append(
        1,
        event(
            "e2",
            "u1",
            1,
            "update_progress",
            Event.Level.ERROR,
            "Update 1 is FAILED.",
            Optional.of("Job j failed: boom")));
    UpdateEventLog.table(storage).fold(journal, 1);
    journal.append(
        2,
        event(
            "e3",
            "u2",
            2,
            "create_update",
            Event.Level.INFO,
            "Update 2 started.",
            Optional.empty()));
    journal.append(
        2,
        FlowProgressEvents.of(
            "shop",
            "u2",
            "silver",
            "silver",
            "3",
            new FlowMetrics(
                3,
                new DataQuality(
                    "silver", new String[] {"positive"}, new long[] {3}, new long[] {1}, 1)),
            T0.plusSeconds(3)));
    storage.writeAtomically(
        new Path(storage.updatesDir(), "000001.json"),
        "{\"number\":1,\"state\":\"FAILED\",\"started\":\"2026-01-01T00:00:00Z\",\"duration_ms\":1500,"
            + "\"error\":\"Job j failed: boom\"}");
    storage.writeAtomically(
        new Path(storage.updatesDir(), "000002.json"),
        "{\"number\":2,\"state\":\"COMPLETED\",\"started\":\"2026-01-01T00:00:02Z\",\"duration_ms\":2250}");
    RowType rowType =
        (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.STRING())).getLogicalType();
    new DeltaTableCommitter(
            DefaultEngine.create(new Configuration()),
            DeltaWriteSpec.append(storage.tablePath("silver"), rowType, "test"))
        .ensureTable();
  }

  private static Event event(
      String id,
      String update,
      int second,
      String type,
      Event.Level level,
      String message,
      Optional<String> error) {
    return new Event(
        id,
        0,
        Event.Origin.update("shop", update),
        T0.plusSeconds(second),
        level,
        message,
        error,
        "{}",
        type);
  }

  @Test
  void eventsPrintsTheTableThenTheUnfoldedJournal() {
    Result result = run("events", file.toString());

    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out)
        .isEqualTo(
            """
        1000001 2026-01-01T00:00:00Z INFO    create_update   -                    Update 1 started.
        1000002 2026-01-01T00:00:01Z ERROR   update_progress -                    Update 1 is FAILED.
            error: Job j failed: boom
        2000001 2026-01-01T00:00:02Z INFO    create_update   -                    Update 2 started.
        2000002 2026-01-01T00:00:03Z METRICS flow_progress   silver               Flow 'silver' committed epoch 3:\
         3 rows written, 1 dropped by expectations.
        """);
  }

  @Test
  void eventsFiltersByTypeAndPrintsJson() {
    Result result = run("events", file.toString(), "--type", "create_update", "--json");

    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out)
        .isEqualTo(
            """
        {"id":"e1","sequence":1000001,"origin":{"pipeline":"shop","update_id":"u1"},"timestamp":\
        "2026-01-01T00:00:00Z","level":"INFO","message":"Update 1 started.","details":{},"event_type":"create_update"}
        {"id":"e3","sequence":2000001,"origin":{"pipeline":"shop","update_id":"u2"},"timestamp":\
        "2026-01-01T00:00:02Z","level":"INFO","message":"Update 2 started.","details":{},"event_type":"create_update"}
        """);
  }

  @Test
  void anUnknownTypeIsRefusedWithTheKnownOnes() {
    Result result = run("events", file.toString(), "--type", "flow_progres");

    assertThat(result.code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(result.err)
        .startsWith(
            "tributary events: --type 'flow_progres' is not an event type. Use one of"
                + " [create_update, update_progress, flow_definition, flow_progress, user_action, maintenance_progress,"
                + " pipeline_lock, planning_information].\n");
  }

  @Test
  void statusShowsUpdatesTablesAndTheLastUpdatesPassRates() {
    Result result = run("status", file.toString());

    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out)
        .isEqualTo(
            """
        Pipeline 'shop' (storage %s)
        Last updates:
          #2    COMPLETED  started 2026-01-01T00:00:02Z, 2.3 s
          #1    FAILED     started 2026-01-01T00:00:00Z, 1.5 s: Job j failed: boom
        Tables:
          silver                              0 rows  (Delta version 0)
        Expectations in the last update (u2):
          silver.positive                           75.00%% passed  (3 passed, 1 failed)
        """
                .formatted(dir.resolve("storage")));
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TributaryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }
}
