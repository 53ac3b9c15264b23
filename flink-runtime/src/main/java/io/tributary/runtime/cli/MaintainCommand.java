package io.tributary.runtime.cli;

import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.maintenance.MaintenanceOptions;
import io.tributary.runtime.maintenance.MaintenanceReport;
import io.tributary.runtime.maintenance.TableMaintenance;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary maintain PIPELINE.yml}: compacts the small files of the pipeline's tables, vacuums
 * their dead files and keeps their logs short ({@link TableMaintenance}), and prints what it did per
 * table. Reads only the pipeline file (its storage), not its libraries. Exit codes: 0 done, 1 the
 * maintenance of some table failed (the others ran), 2 a wrong option or table name.
 */
@Command(
    name = "maintain",
    description =
        "Compacts small files, VACUUMs files no version within the retention"
            + " needs (and orphans of aborted epochs), checkpoints the log and deletes expired log files.")
final class MaintainCommand implements Callable<Integer> {

  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "TABLE",
      description = "Only these tables (default: all).")
  Set<String> tables = Set.of();

  @Option(
      names = "--retain-hours",
      paramLabel = "N",
      description =
          "VACUUM keeps dead files younger than N hours"
              + " (default: each table's delta.deletedFileRetentionDuration, 7 days unless set; at least 1).")
  Long retainHours;

  @Option(
      names = "--force-retention",
      description =
          "Accepts a --retain-hours below 1; only when no update or" + " reader is running.")
  boolean forceRetention;

  @Option(
      names = "--dry-run",
      description = "Reports what would be compacted and deleted; changes nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    PipelineConfig config = options.load();
    MaintenanceOptions chosen;
    try {
      chosen = MaintenanceOptions.all().withTables(tables).withDryRun(dryRun);
      if (retainHours != null) {
        Duration retention = Duration.ofHours(retainHours);
        chosen =
            forceRetention
                ? chosen.withForcedRetention(retention)
                : chosen.withRetention(retention);
      }
    } catch (DeltaTableException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PipelineStorage storage =
        PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
    MaintenanceReport report;
    try {
      report = TableMaintenance.run(storage, chosen);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Maintenance of pipeline '"
            + config.name()
            + "' (storage "
            + config.storage()
            + ")"
            + (dryRun ? ": a dry run, nothing is changed" : ""));
    if (report.tables().isEmpty()) {
      out.println("  no tables yet");
    }
    out.print(report.describe());
    return report.failed() ? TributaryCli.UPDATE_FAILED : 0;
  }
}
