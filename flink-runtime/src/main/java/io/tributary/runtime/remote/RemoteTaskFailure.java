package io.tributary.runtime.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A task's failure as a cluster's REST API tells it ({@code GET /jobs/<job>/exceptions}): the
 * original exception's class and message and those of each cause, read off its stack trace's text,
 * since the client may not have the classes. Its message is the original's message, so the engine's
 * messages and the storage's hints ({@code StorageErrors}) read it as they read a local exception.
 */
final class RemoteTaskFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private static final String STOPPING =
      "org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException";

  private final String originalClassName;

  private RemoteTaskFailure(String originalClassName, String message, Throwable cause) {
    super(message, cause, false, false);
    this.originalClassName = originalClassName;
  }

  /** The class of the exception on the cluster. */
  String originalClassName() {
    return originalClassName;
  }

  @Override
  public String toString() {
    return originalClassName + (getMessage() == null ? "" : ": " + getMessage());
  }

  /**
   * The failed task's own exception from a job's exception history ({@code exceptionHistory.entries}
   * and their {@code concurrentExceptions}), as the embedded cluster reads it from the execution
   * graph: the latest entry that names a task ({@code taskName}), else the latest of any entry. A
   * global failure (no task) that Flink records after the task's, such as its report that the job
   * failed during a stop-with-savepoint or that recovery is suppressed, says nothing of why; that
   * report is never taken.
   */
  static Optional<Throwable> latest(JsonNode exceptions) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
      all.add(entry);
      entry.path("concurrentExceptions").forEach(all::add);
    }
    JsonNode ofATask = null;
    JsonNode ofAny = null;
    for (JsonNode entry : all) {
      String name = entry.path("exceptionName").asText("");
      if (name.isEmpty() || name.equals(STOPPING) || !entry.hasNonNull("stacktrace")) {
        continue;
      }
      ofAny = later(ofAny, entry);
      if (entry.hasNonNull("taskName")) {
        ofATask = later(ofATask, entry);
      }
    }
    return Optional.ofNullable(ofATask != null ? ofATask : ofAny)
        .map(entry -> parse(entry.path("stacktrace").asText()));
  }

  private static JsonNode later(JsonNode current, JsonNode candidate) {
    return current == null
            || candidate.path("timestamp").asLong() > current.path("timestamp").asLong()
        ? candidate
        : current;
  }

  /**
   * The chain of a stack trace's text: its first line and each {@code Caused by:} at the start of a
   * line ({@code class: message}, a message running on until the first {@code at} line); frames and
   * suppressed exceptions (indented) are left out.
   */
  static Throwable parse(String stackTrace) {
    List<String[]> chain = new ArrayList<>();
    boolean inFrames = false;
    for (String line : stackTrace.split("\r?\n")) {
      if (line.startsWith("Caused by: ")) {
        chain.add(header(line.substring("Caused by: ".length())));
        inFrames = false;
      } else if (chain.isEmpty()) {
        chain.add(header(line));
      } else if (line.startsWith("\t") || line.startsWith(" ")) {
        inFrames = true;
      } else if (!inFrames) {
        String[] last = chain.get(chain.size() - 1);
        last[1] = last[1] == null ? line : last[1] + "\n" + line;
      }
    }
    Throwable cause = null;
    for (int i = chain.size() - 1; i >= 0; i--) {
      cause = new RemoteTaskFailure(chain.get(i)[0], chain.get(i)[1], cause);
    }
    return cause == null ? new RemoteTaskFailure("unknown", stackTrace, null) : cause;
  }

  private static String[] header(String line) {
    int colon = line.indexOf(": ");
    return colon < 0
        ? new String[] {line.strip(), null}
        : new String[] {line.substring(0, colon).strip(), line.substring(colon + 2)};
  }
}
