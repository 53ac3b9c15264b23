package io.tributary.runtime.maintenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.config.PipelineConfigException;
import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance an update runs when it has COMPLETED, as the pipeline configuration asks ({@value
 * TableMaintenance#AFTER_UPDATE}, {@value TableMaintenance#VACUUM_AFTER_UPDATE}): on the tables the
 * update's flows wrote (and their quarantine tables), except those whose table property {@value
 * TableMaintenance#AUTO_OPTIMIZE} is false. Each table's outcome is a {@code maintenance_progress}
 * event; a failure is logged as a warning and never fails the update, whose data is committed.
 *
 * @param compact compact small files and checkpoint the log
 * @param vacuum VACUUM with each table's own retention (and checkpoint the log)
 */
public record AfterUpdateMaintenance(boolean compact, boolean vacuum) {

  /** No maintenance after updates (the default). */
  public static final AfterUpdateMaintenance OFF = new AfterUpdateMaintenance(false, false);

  private static final Logger LOG = LoggerFactory.getLogger(AfterUpdateMaintenance.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean enabled() {
    return compact || vacuum;
  }

  /**
   * The maintenance a pipeline's configuration asks for.
   *
   * @throws PipelineConfigException if a key's value is not {@code true} or {@code false}
   */
  public static AfterUpdateMaintenance fromConfiguration(
      String pipeline, Map<String, String> configuration) {
    return PipelineSettings.part(pipeline, configuration, PipelineSettings.Reader::maintenance);
  }

  /** Maintains the tables {@code result}'s completed flows wrote, logging each in {@code events}. */
  public void run(
      PipelineStorage storage, LogicalPlan plan, UpdateResult result, UpdateEventLog events) {
    if (!enabled()) {
      return;
    }
    List<String> existing = TableMaintenance.tables(storage);
    Set<String> tables = new TreeSet<>();
    for (FlowResult flow : result.flows()) {
      if (flow.state() == FlowState.COMPLETED && managed(plan, flow.dataset())) {
        for (String table : List.of(flow.dataset(), flow.dataset() + "_quarantine")) {
          if (existing.contains(table)) {
            tables.add(table);
          }
        }
      }
    }
    if (tables.isEmpty()) {
      return;
    }
    MaintenanceOptions options =
        MaintenanceOptions.all().withSteps(compact, vacuum, true).withTables(tables);
    MaintenanceReport report;
    try {
      report = TableMaintenance.run(storage, options);
    } catch (RuntimeException e) {
      LOG.warn("Maintenance after update {} failed", result.number(), e);
      for (String table : tables) {
        events.maintenanceProgress(
            table,
            "Maintenance of table '" + table + "' failed.",
            Optional.of(String.valueOf(e.getMessage())),
            JSON.createObjectNode().put("state", "FAILED"));
      }
      return;
    }
    for (TableReport table : report.tables()) {
      events.maintenanceProgress(table.table(), message(table), table.error(), details(table));
    }
  }

  private static boolean managed(LogicalPlan plan, String dataset) {
    return plan.dataset(dataset)
        .map(DatasetSpec::properties)
        .map(
            p ->
                !"false"
                    .equalsIgnoreCase(
                        p.getOrDefault(TableMaintenance.AUTO_OPTIMIZE, "true").strip()))
        .orElse(true);
  }

  private static String message(TableReport table) {
    StringBuilder message = new StringBuilder("Maintenance of table '" + table.table() + "'");
    table
        .compaction()
        .ifPresent(c -> message.append("; compaction: ").append(MaintenanceReport.compaction(c)));
    table.vacuum().ifPresent(v -> message.append("; vacuum: ").append(MaintenanceReport.vacuum(v)));
    table.log().ifPresent(l -> message.append("; log: ").append(MaintenanceReport.log(l)));
    return message.append(table.error().isPresent() ? "; failed." : ".").toString();
  }

  private static ObjectNode details(TableReport table) {
    ObjectNode node = JSON.createObjectNode();
    node.put("state", table.error().isPresent() ? "FAILED" : "COMPLETED");
    table
        .compaction()
        .ifPresent(
            c -> {
              ObjectNode n = node.putObject("compaction");
              n.put("files_before", c.filesBefore())
                  .put("files_after", c.filesAfter())
                  .put("files_removed", c.filesRemoved())
                  .put("bytes_removed", c.bytesRemoved())
                  .put("files_added", c.filesAdded())
                  .put("bytes_added", c.bytesAdded());
              c.version().ifPresent(v -> n.put("version", v));
              c.skipped().ifPresent(s -> n.put("skipped", s));
            });
    table
        .vacuum()
        .ifPresent(
            v ->
                node.putObject("vacuum")
                    .put("files_deleted", v.deleted().size())
                    .put("bytes_freed", v.bytes())
                    .put("retention_hours", v.retention().toHours()));
    table
        .log()
        .ifPresent(
            l -> {
              ObjectNode n = node.putObject("log").put("log_files_deleted", l.logFilesDeleted());
              l.checkpoint().ifPresent(v -> n.put("checkpoint_version", v));
            });
    return node;
  }
}
