package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.quality.DataQuality;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.read.DeltaCommitRows;
import io.tributary.runtime.eventlog.CommitProgress;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventJournal;
import io.tributary.runtime.eventlog.FlowMetrics;
import io.tributary.runtime.eventlog.FlowProgressOperator;
import io.tributary.runtime.eventlog.UpdateEvents;
import io.tributary.runtime.storage.HadoopSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flow_progress events of a streaming table's commits: the committer logs one per Delta commit,
 * with the rows the commit holds and the expectation counts {@link FlowProgressOperator} handed over
 * for the checkpoints it covers, whatever was merged, restored or cut by a crash. The two operators
 * run in harnesses side by side, as the checkpoints of one job reach both.
 */
@SuppressWarnings("try") // a harness opened only to restore and commit is still closed
class CommitProgressTest {

  private static final String APP_ID = "shop/silver/silver/gen-1";

  @TempDir Path dir;

  private String table() {
    return dir.resolve("silver").toString();
  }

  private String events() {
    return dir.resolve("events").toString();
  }

  private DeltaWriteSpec spec() {
    return DeltaWriteSpec.append(table(), DeltaCommitterOperatorTest.TYPE, APP_ID);
  }

  private CommitProgress progress(String updateId, long updateNumber) {
    return new CommitProgress(
        new UpdateEvents(events(), HadoopSettings.none(), "shop", updateId, updateNumber),
        "silver",
        "silver");
  }

  /** A data file of {@code rows} rows, as a writer sends it to the committer. */
  private byte[] file(int rows, long firstId) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(
            table(), DeltaCommitterOperatorTest.TYPE, List.of(), 1 << 20, new Configuration(), 0)) {
      for (int i = 0; i < rows; i++) {
        writer.write(
            DeltaTestSupport.internal(DeltaCommitterOperatorTest.TYPE, Row.of(firstId + i)));
      }
      return writer.closeAll().get(0).toBytes();
    }
  }

  private static FlowMetrics counts(long rows, long passed, long failed) {
    return FlowMetrics.rows(rows)
        .plus(
            FlowMetrics.quality(
                new DataQuality(
                    "silver",
                    new String[] {"positive"},
                    new long[] {passed},
                    new long[] {failed},
                    failed)));
  }

  private OneInputStreamOperatorTestHarness<byte[], Void> committer(
      OperatorSubtaskState state, CommitProgress progress) throws Exception {
    return committer(state, progress, -1);
  }

  /** A committer restored from {@code state} of checkpoint {@code checkpointId}, as Flink restores one. */
  private OneInputStreamOperatorTestHarness<byte[], Void> committer(
      OperatorSubtaskState state, CommitProgress progress, long checkpointId) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new DeltaCommitterOperator(spec(), false, 0, progress));
    if (state == null) {
      harness.initializeEmptyState();
    } else {
      harness.setRestoredCheckpointId(checkpointId);
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  private OneInputStreamOperatorTestHarness<FlowMetrics, Void> counter(
      OperatorSubtaskState state, String updateId, long updateNumber) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new FlowProgressOperator(
                new UpdateEvents(events(), HadoopSettings.none(), "shop", updateId, updateNumber),
                "silver",
                "silver"));
    if (state == null) {
      harness.initializeEmptyState();
    } else {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  private List<Event> logged(long... updateNumbers) {
    List<Event> events = new ArrayList<>();
    EventJournal journal = new EventJournal(events(), new Configuration());
    for (long n : updateNumbers) {
      events.addAll(journal.read(n));
    }
    return events;
  }

  private static JsonNode progress(Event event) {
    return event.detailsJson().path("flow_progress");
  }

  /** Each data commit of the table: its version, and its added rows less its deleted rows. */
  private List<long[]> dataCommits() {
    return DeltaCommitRows.read(table(), new Configuration()).stream()
        .filter(c -> c.appId().isPresent())
        .map(c -> new long[] {c.version(), c.addedRows() - c.deletedRows()})
        .toList();
  }

  @Test
  void epochsMergedIntoOneCommitAreOneEventWithTheRowsOfThatCommit() throws Exception {
    try (var committer = committer(null, progress("u7", 7));
        var counter = counter(null, "u7", 7)) {
      counter.processElement(counts(3, 3, 1), 0);
      committer.processElement(file(3, 0), 0);
      counter.snapshot(1, 1);
      committer.snapshot(1, 1);
      counter.processElement(counts(2, 2, 0), 0);
      committer.processElement(file(2, 10), 0);
      counter.snapshot(2, 2);
      committer.snapshot(2, 2);
      // checkpoint 1's notification is lost: checkpoint 2 commits both epochs in one commit
      counter.notifyOfCompletedCheckpoint(2);
      committer.notifyOfCompletedCheckpoint(2);
    }
    assertThat(dataCommits()).hasSize(1);
    List<Event> events = logged(7);
    assertThat(events).as("one event for the one commit").hasSize(1);
    JsonNode progress = progress(events.get(0));
    assertThat(progress.path("table_version").asLong()).isEqualTo(dataCommits().get(0)[0]);
    assertThat(progress.path("metrics").path("num_output_rows").asLong())
        .isEqualTo(5)
        .isEqualTo(dataCommits().get(0)[1]);
    assertThat(
            progress
                .path("data_quality")
                .path("expectations")
                .get(0)
                .path("passed_records")
                .asLong())
        .isEqualTo(5);
    assertThat(progress.path("data_quality").path("dropped_records").asLong()).isEqualTo(1);
    assertThat(events.get(0).message())
        .isEqualTo(
            "Flow 'silver' committed epoch 2 as table version 1: 5 rows written,"
                + " 1 dropped by expectations.");
  }

  @Test
  void aPendingEpochOfAnEarlierUpdateCommittedOnRestoreIsLoggedByTheRestoringUpdate()
      throws Exception {
    OperatorSubtaskState committerState;
    OperatorSubtaskState counterState;
    try (var committer = committer(null, progress("u6", 6));
        var counter = counter(null, "u6", 6)) {
      counter.processElement(counts(4, 4, 0), 0);
      committer.processElement(file(4, 0), 0);
      // the stop-with-savepoint's snapshot completes, and the process is killed before the commit
      counterState = counter.snapshot(3, 3);
      committerState = committer.snapshot(3, 3);
    }
    assertThat(dataCommits()).isEmpty();
    try (var committer = committer(committerState, progress("u7", 7), 3);
        var counter = counter(counterState, "u7", 7)) {
      assertThat(dataCommits()).as("the restored epoch is committed at once").hasSize(1);
    }
    List<Event> events = logged(6, 7);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).origin().updateId()).isEqualTo("u7");
    assertThat(progress(events.get(0)).path("metrics").path("num_output_rows").asLong())
        .isEqualTo(4);
    assertThat(progress(events.get(0)).path("table_version").asLong())
        .isEqualTo(dataCommits().get(0)[0]);
    assertThat(
            progress(events.get(0))
                .path("data_quality")
                .path("expectations")
                .get(0)
                .path("passed_records")
                .asLong())
        .isEqualTo(4);
  }

  @Test
  void anEpochCommittedByAStopWithSavepointIsLoggedOnceThoughItsSavepointStillHoldsIt()
      throws Exception {
    OperatorSubtaskState committerState;
    OperatorSubtaskState counterState;
    try (var committer = committer(null, progress("u6", 6));
        var counter = counter(null, "u6", 6)) {
      counter.processElement(counts(2, 2, 0), 0);
      committer.processElement(file(2, 0), 0);
      counterState = counter.snapshot(1, 1);
      committerState = committer.snapshot(1, 1);
      counter.notifyOfCompletedCheckpoint(1);
      committer.notifyOfCompletedCheckpoint(1);
    }
    try (var committer = committer(committerState, progress("u7", 7), 1);
        var counter = counter(counterState, "u7", 7)) {
      counter.processElement(counts(1, 1, 0), 0);
      committer.processElement(file(1, 10), 0);
      counter.snapshot(2, 2);
      committer.snapshot(2, 2);
      counter.notifyOfCompletedCheckpoint(2);
      committer.notifyOfCompletedCheckpoint(2);
    }
    assertThat(dataCommits()).hasSize(2);
    assertThat(logged(6, 7))
        .extracting(
            e -> progress(e).path("table_version").asLong(),
            e -> progress(e).path("metrics").path("num_output_rows").asLong())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(dataCommits().get(0)[0], 2L),
            org.assertj.core.groups.Tuple.tuple(dataCommits().get(1)[0], 1L));
  }

  @Test
  void aCommitWhoseEventWasLostWithTheProcessIsLoggedOnRestoreFromTheDeltaLog() throws Exception {
    OperatorSubtaskState committerState;
    try (var committer = committer(null, progress("u6", 6));
        var counter = counter(null, "u6", 6)) {
      counter.processElement(counts(3, 3, 0), 0);
      committer.processElement(file(3, 0), 0);
      counter.snapshot(1, 1);
      committerState = committer.snapshot(1, 1);
    }
    // the attempt commits checkpoint 1 and dies before its event: a committer that logs nothing
    try (var dying = committer(committerState, null, 1)) {
      assertThat(dataCommits()).hasSize(1);
    }
    assertThat(logged(6)).isEmpty();
    try (var committer = committer(committerState, progress("u7", 7), 1)) {
      assertThat(dataCommits()).as("committed once").hasSize(1);
    }
    List<Event> events = logged(6, 7);
    assertThat(events).hasSize(1);
    assertThat(progress(events.get(0)).path("table_version").asLong())
        .isEqualTo(dataCommits().get(0)[0]);
    assertThat(progress(events.get(0)).path("metrics").path("num_output_rows").asLong())
        .isEqualTo(3);
    assertThat(
            progress(events.get(0))
                .path("data_quality")
                .path("expectations")
                .get(0)
                .path("passed_records")
                .asLong())
        .isEqualTo(3);
  }

  @Test
  void countsOfACheckpointAfterTheRestoredOneAreDroppedWithTheRowsReadAgain() throws Exception {
    OperatorSubtaskState committerState;
    OperatorSubtaskState counterState;
    try (var committer = committer(null, progress("u7", 7));
        var counter = counter(null, "u7", 7)) {
      counter.processElement(counts(1, 1, 0), 0);
      committer.processElement(file(1, 0), 0);
      counterState = counter.snapshot(1, 1);
      committerState = committer.snapshot(1, 1);
      counter.notifyOfCompletedCheckpoint(1);
      committer.notifyOfCompletedCheckpoint(1);
      counter.processElement(counts(9, 9, 0), 0);
      counter.snapshot(2, 2); // checkpoint 2 never completes: the job fails, its rows are replayed
    }
    try (var committer = committer(committerState, progress("u7", 7), 1);
        var counter = counter(counterState, "u7", 7)) {
      counter.processElement(counts(9, 9, 0), 0);
      committer.processElement(file(9, 10), 0);
      counter.snapshot(2, 2);
      committer.snapshot(2, 2);
      counter.notifyOfCompletedCheckpoint(2);
      committer.notifyOfCompletedCheckpoint(2);
    }
    assertThat(logged(7))
        .extracting(
            e ->
                progress(e)
                    .path("data_quality")
                    .path("expectations")
                    .get(0)
                    .path("passed_records")
                    .asLong())
        .containsExactly(1L, 9L);
  }

  @Test
  void aCheckpointWhoseRowsWereAllDroppedLogsItsCountsWithoutACommit() throws Exception {
    try (var committer = committer(null, progress("u7", 7));
        var counter = counter(null, "u7", 7)) {
      counter.processElement(counts(0, 0, 4), 0);
      counter.snapshot(1, 1);
      committer.snapshot(1, 1);
      counter.notifyOfCompletedCheckpoint(1);
      committer.notifyOfCompletedCheckpoint(1);
    }
    assertThat(dataCommits()).isEmpty();
    assertThat(logged(7)).hasSize(1);
    assertThat(progress(logged(7).get(0)).has("table_version")).isFalse();
    assertThat(progress(logged(7).get(0)).path("data_quality").path("dropped_records").asLong())
        .isEqualTo(4);
  }
}
