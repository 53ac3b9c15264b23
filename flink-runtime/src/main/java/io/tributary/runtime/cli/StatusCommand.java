package io.tributary.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tributary status PIPELINE.yml}: the last updates (number, state, start, duration, error),
 * each table's rows and Delta version, and the expectation pass rates of the last update (from the
 * event log's METRICS events).
 */
@Command(
    name = "status",
    description =
        "Shows the last updates, each table's rows and the last update's"
            + " expectation pass rates.")
final class StatusCommand implements Callable<Integer> {
  static final int UPDATES_SHOWN = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PipelineConfig config = options.load();
    PipelineStorage storage =
        PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
    PrintWriter out = spec.commandLine().getOut();
    out.println("Pipeline '" + config.name() + "' (storage " + config.storage() + ")");
    List<JsonNode> updates = updates(storage);
    out.println("Last updates:");
    if (updates.isEmpty()) {
      out.println("  none");
    }
    for (JsonNode u : updates.subList(0, Math.min(UPDATES_SHOWN, updates.size()))) {
      out.printf(
          "  #%-4d %-10s started %s, %.1f s%s%n",
          u.path("number").asLong(),
          u.path("state").asText(),
          u.path("started").asText(),
          u.path("duration_ms").asLong() / 1000.0,
          u.hasNonNull("error") ? ": " + u.path("error").asText() : "");
    }
    out.println("Tables:");
    List<String> tables = children(storage, new Path(storage.root(), "tables"));
    if (tables.isEmpty()) {
      out.println("  none");
    }
    for (String table : tables) {
      Optional<DeltaTableSummary> summary =
          DeltaTableSummary.of(storage.tablePath(table), storage.hadoopConf());
      if (summary.isPresent()) {
        out.printf(
            "  %-28s %8d rows  (Delta version %d)%n",
            table, summary.get().rows(), summary.get().version());
      } else {
        out.printf("  %-28s %s%n", table, "not a Delta table");
      }
    }
    List<Event> events = EventLog.of(storage).events();
    Optional<String> last = EventLog.lastUpdateId(events);
    if (last.isPresent()) {
      Map<String, EventLog.ExpectationTotals> quality = EventLog.dataQuality(events, last.get());
      out.println("Expectations in the last update (" + last.get() + "):");
      if (quality.isEmpty()) {
        out.println("  none evaluated");
      }
      for (EventLog.ExpectationTotals t : quality.values()) {
        out.printf(
            "  %-40s %6.2f%% passed  (%d passed, %d failed)%n",
            t.dataset() + "." + t.name(), t.passRate(), t.passed(), t.failed());
      }
    }
    return 0;
  }

  /** The update records, newest first. */
  private static List<JsonNode> updates(PipelineStorage storage) {
    Path dir = new Path(storage.updatesDir());
    List<JsonNode> updates = new ArrayList<>();
    for (String name : children(storage, dir)) {
      if (name.endsWith(".json") && !name.startsWith(".")) {
        storage
            .readText(new Path(dir, name))
            .ifPresent(
                text -> {
                  try {
                    updates.add(JSON.readTree(text));
                  } catch (IOException e) {
                    throw new UncheckedIOException(
                        "Cannot read the update record " + name + " under " + dir, e);
                  }
                });
      }
    }
    updates.sort(Comparator.comparingLong((JsonNode u) -> u.path("number").asLong()).reversed());
    return updates;
  }

  private static List<String> children(PipelineStorage storage, Path dir) {
    try {
      FileSystem fs = dir.getFileSystem(storage.hadoopConf());
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<String> names = new ArrayList<>();
      for (FileStatus status : fs.listStatus(dir)) {
        names.add(status.getPath().getName());
      }
      names.sort(Comparator.naturalOrder());
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
