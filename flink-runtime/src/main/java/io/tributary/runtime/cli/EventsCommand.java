package io.tributary.runtime.cli;

import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.eventlog.EventType;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary events PIPELINE.yml [--type T] [--json]}: the pipeline's event log, oldest first,
 * from the Delta table and the journal of updates not folded yet. Plain: one line per event
 * (sequence, time, level, type, flow, message) and its error below it; {@code --json}: one JSON
 * object per line, the columns of the event log table.
 */
@Command(name = "events", description = "Prints the pipeline's event log, oldest first.")
final class EventsCommand implements Callable<Integer> {
  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--type",
      paramLabel = "T",
      description =
          "Only events of this type: create_update, update_progress, flow_definition, flow_progress,"
              + " user_action, maintenance_progress, pipeline_lock, planning_information.")
  String type;

  @Option(names = "--json", description = "One JSON object per event and line.")
  boolean json;

  @Override
  public Integer call() {
    PipelineConfig config = options.load();
    List<String> types = Arrays.stream(EventType.values()).map(EventType::value).toList();
    if (type != null && !types.contains(type)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "tributary events: --type '"
              + type
              + "' is not an event type. Use one of "
              + types
              + ".");
    }
    PipelineStorage storage =
        PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
    EventLog log = EventLog.of(storage);
    List<Event> events = type == null ? log.events() : log.events(type);
    PrintWriter out = spec.commandLine().getOut();
    for (Event event : events) {
      if (json) {
        out.println(event.toJson());
      } else {
        out.printf(
            "%d %s %-7s %-15s %-20s %s%n",
            event.sequence(),
            event.timestamp(),
            event.level(),
            event.eventType(),
            event.origin().flowName().orElse("-"),
            event.message());
        event.error().ifPresent(e -> out.println("    error: " + e));
      }
    }
    return 0;
  }
}
