package io.tributary.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Which entry of a job's exception history ({@code GET /jobs/<job>/exceptions}) is the task's own. */
class RemoteTaskFailureTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String DISK_FULL =
      "java.io.UncheckedIOException: committing table silver to file:/data/silver\n"
          + "\tat io.tributary.runtime.delta.DeltaCommitter.commit(DeltaCommitter.java:10)\n"
          + "Caused by: java.io.IOException: No space left on device\n"
          + "\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n"
          + "\t... 12 more\n";

  private static final String SUPPRESSED =
      "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n"
          + "\tat org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler.x(X.java:1)\n";

  private static final String STOPPING =
      "org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException:"
          + " A savepoint has been created at: file:/sp, but the corresponding job 1 failed during"
          + " stopping.\n\tat org.apache.flink.X.y(X.java:1)\n";

  /** A global failure recorded after the task's (no task name) is Flink's wrapper, not the cause. */
  @Test
  void takesTheTasksOwnFailureOverALaterGlobalOne() {
    JsonNode history =
        history(entry(DISK_FULL, 100, "Delta commit (1/1)"), entry(SUPPRESSED, 200, null));

    Throwable failure = RemoteTaskFailure.latest(history).orElseThrow();

    assertThat(failure).hasMessage("committing table silver to file:/data/silver");
    assertThat(failure.getCause()).hasMessage("No space left on device");
    assertThat(((RemoteTaskFailure) failure.getCause()).originalClassName())
        .isEqualTo("java.io.IOException");
  }

  /** A task failure among a root entry's concurrent exceptions counts as the root's do. */
  @Test
  void findsTheTasksFailureAmongConcurrentExceptions() {
    ObjectNode root = entry(SUPPRESSED, 300, null);
    root.putArray("concurrentExceptions").add(entry(DISK_FULL, 250, "Delta commit (1/1)"));

    Throwable failure = RemoteTaskFailure.latest(history(root)).orElseThrow();

    assertThat(failure.getCause()).hasMessage("No space left on device");
  }

  /** Of several task failures the latest is the one that ended the job. */
  @Test
  void takesTheLatestOfSeveralTaskFailures() {
    String earlier = "java.lang.IllegalStateException: first attempt\n\tat a.B.c(B.java:1)\n";
    JsonNode history =
        history(entry(earlier, 100, "Source (1/2)"), entry(DISK_FULL, 200, "Delta commit (1/1)"));

    assertThat(RemoteTaskFailure.latest(history).orElseThrow())
        .hasMessage("committing table silver to file:/data/silver");
  }

  /** With no task named anywhere, the latest global failure is all there is; the stop's report never. */
  @Test
  void fallsBackToTheLatestGlobalFailureButNeverToTheStopsReport() {
    JsonNode history = history(entry(SUPPRESSED, 100, null), entry(STOPPING, 200, null));

    Throwable failure = RemoteTaskFailure.latest(history).orElseThrow();

    assertThat(((RemoteTaskFailure) failure).originalClassName())
        .isEqualTo("org.apache.flink.runtime.JobException");
    assertThat(RemoteTaskFailure.latest(history(entry(STOPPING, 200, null)))).isEmpty();
  }

  /** A message that runs over several lines keeps them; frames and suppressed exceptions do not. */
  @Test
  void parsesAMultiLineMessageAndLeavesFramesOut() {
    Throwable failure =
        RemoteTaskFailure.parse(
            "java.lang.IllegalArgumentException: line one\nline two\n\tat a.B.c(B.java:1)\n"
                + "\tSuppressed: java.lang.RuntimeException: ignored\n"
                + "Caused by: java.io.IOException\n\tat a.B.d(B.java:2)\n");

    assertThat(failure).hasMessage("line one\nline two");
    assertThat(((RemoteTaskFailure) failure.getCause()).originalClassName())
        .isEqualTo("java.io.IOException");
    assertThat(failure.getCause().getMessage()).isNull();
    assertThat(failure.getCause().getCause()).isNull();
  }

  private static ObjectNode entry(String stacktrace, long timestamp, String taskName) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("exceptionName", stacktrace.substring(0, stacktrace.indexOf(':')));
    entry.put("stacktrace", stacktrace);
    entry.put("timestamp", timestamp);
    if (taskName != null) {
      entry.put("taskName", taskName);
      entry.put("endpoint", "localhost:40123");
    }
    return entry;
  }

  private static JsonNode history(ObjectNode... entries) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putObject("exceptionHistory").putArray("entries");
    for (ObjectNode entry : entries) {
      list.add(entry);
    }
    return root;
  }
}
