package io.tributary.runtime.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.quality.DataQuality;
import io.tributary.runtime.storage.HadoopSettings;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowProgressOperatorTest {

  @TempDir Path dir;

  private static FlowMetrics counts(long passed, long failed, long dropped) {
    return FlowMetrics.quality(
        new DataQuality(
            "silver",
            new String[] {"positive"},
            new long[] {passed},
            new long[] {failed},
            dropped));
  }

  private OneInputStreamOperatorTestHarness<FlowMetrics, Void> harness(
      String updateId, OperatorSubtaskState state) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new FlowProgressOperator(
                new UpdateEvents(dir.toString(), HadoopSettings.none(), "shop", updateId, 7),
                "silver",
                "silver"));
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  @Test
  void refusesToRunAsMoreThanOneInstance() throws Exception {
    // each of two instances would log part of every epoch's counts as the whole
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(
            new FlowProgressOperator(
                new UpdateEvents(dir.toString(), HadoopSettings.none(), "shop", "u7", 7),
                "silver",
                "silver"),
            128,
            2,
            1)) {
      assertThatThrownBy(harness::initializeEmptyState)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "The flow progress logger of flow silver runs as 2 parallel instances, and must run"
                  + " as one");
    }
  }

  private List<Event> events() {
    return new EventJournal(dir.toString(), new Configuration()).read(7);
  }

  private static JsonNode quality(Event event) {
    return event.detailsJson().path("flow_progress").path("data_quality");
  }

  @Test
  void logsTheSumOfAnEpochWhenItsCheckpointCompletes() throws Exception {
    try (var harness = harness("u7", null)) {
      harness.processElement(counts(3, 1, 1), 0);
      harness.processElement(counts(2, 2, 2), 0);
      harness.processElement(FlowMetrics.rows(4), 0);
      harness.processElement(FlowMetrics.rows(1), 0);
      harness.snapshot(1, 1);
      assertThat(events()).as("checkpoint 1 is not complete yet").isEmpty();
      harness.processElement(counts(5, 0, 0), 0);

      harness.notifyOfCompletedCheckpoint(1);

      assertThat(events()).hasSize(1);
      Event event = events().get(0);
      assertThat(event.level()).isEqualTo(Event.Level.METRICS);
      assertThat(event.eventType()).isEqualTo("flow_progress");
      assertThat(quality(event).toString())
          .isEqualTo(
              "{\"dropped_records\":3,\"expectations\":[{\"name\":"
                  + "\"positive\",\"dataset\":\"silver\",\"passed_records\":5,\"failed_records\":3}]}");
      assertThat(
              event
                  .detailsJson()
                  .path("flow_progress")
                  .path("metrics")
                  .path("num_output_rows")
                  .asLong())
          .isEqualTo(5);
    }
  }

  @Test
  void aFlowWithoutExpectationsLogsItsRowsOnly() throws Exception {
    try (var harness = harness("u7", null)) {
      harness.processElement(FlowMetrics.rows(3), 0);
      harness.processElement(FlowMetrics.rows(2), 0);
      harness.snapshot(4, 4);
      harness.notifyOfCompletedCheckpoint(4);
    }
    assertThat(events())
        .extracting(Event::details)
        .containsExactly(
            "{\"flow_progress\":{\"status\":\"RUNNING\",\"epoch\":\"4\",\"metrics\":{\"num_output_rows\":5}}}");
    assertThat(events())
        .extracting(Event::message)
        .containsExactly("Flow 'silver' committed epoch 4: 5 rows written.");
  }

  @Test
  void anEpochLoggedBeforeAFailureAndRestoredAfterItIsLoggedOnce() throws Exception {
    OperatorSubtaskState checkpoint2;
    try (var harness = harness("u7", null)) {
      harness.processElement(counts(1, 1, 0), 0);
      harness.snapshot(1, 1);
      harness.notifyOfCompletedCheckpoint(1);
      harness.processElement(counts(4, 0, 0), 0);
      checkpoint2 = harness.snapshot(2, 2);
      harness.notifyOfCompletedCheckpoint(2);
      harness.processElement(counts(100, 100, 100), 0); // lost with the failure, replayed upstream
    }
    try (var restored = harness("u7", checkpoint2)) {
      restored.notifyOfCompletedCheckpoint(2);
      restored.processElement(counts(100, 100, 100), 0);
      restored.snapshot(3, 3);
      restored.notifyOfCompletedCheckpoint(3);
    }
    assertThat(events())
        .extracting(e -> quality(e).path("expectations").get(0).path("passed_records").asLong())
        .containsExactly(1L, 4L, 100L);
  }

  @Test
  void anEpochWhoseNotificationWasLostIsLoggedOnRestore() throws Exception {
    OperatorSubtaskState checkpoint1;
    try (var harness = harness("u7", null)) {
      harness.processElement(counts(2, 0, 0), 0);
      checkpoint1 = harness.snapshot(1, 1);
    }
    try (var restored = harness("u7", checkpoint1)) {
      assertThat(events()).hasSize(1);
    }
  }

  @Test
  void pendingEpochsOfAnEarlierUpdateAreNotLoggedAgain() throws Exception {
    OperatorSubtaskState savepoint;
    try (var harness = harness("u6", null)) {
      harness.processElement(counts(2, 0, 0), 0);
      savepoint = harness.snapshot(1, 1);
    }
    try (var restored = harness("u7", savepoint)) {
      restored.notifyOfCompletedCheckpoint(1);
    }
    assertThat(events()).isEmpty();
  }

  @Test
  void aBoundedJobLogsItsOnlyEpochAtEndOfInput() throws Exception {
    try (var harness = harness("u7", null)) {
      harness.processElement(counts(2, 1, 1), 0);
      harness.endInput();
    }
    assertThat(events())
        .extracting(e -> e.detailsJson().path("flow_progress").path("epoch").asText())
        .containsExactly("end");
  }
}
