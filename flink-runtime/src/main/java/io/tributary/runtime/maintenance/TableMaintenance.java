package io.tributary.runtime.maintenance;

import io.tributary.runtime.delta.maintain.DeltaCompaction;
import io.tributary.runtime.delta.maintain.DeltaLogMaintenance;
import io.tributary.runtime.delta.maintain.DeltaVacuum;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Maintenance of a pipeline's Delta tables ({@code <storage>/tables/*}), table by table: compaction of
 * small files ({@link DeltaCompaction}; keyed tables are skipped), {@code VACUUM} of dead files older
 * than the retention ({@link DeltaVacuum}), and the log's checkpoint and expired file cleanup ({@link
 * DeltaLogMaintenance}). A table whose maintenance fails is reported and the others still run.
 *
 * <pre>{@code
 * MaintenanceReport report = TableMaintenance.run(PipelineStorage.at("/data/orders", conf),
 *     MaintenanceOptions.all().withDryRun(true));
 * }</pre>
 *
 * <p>It may run beside an update: a compaction commits only if none of the files it rewrote changed
 * meanwhile, and VACUUM never deletes a file younger than the retention, so a running epoch's files
 * are safe. While a job has a retained checkpoint (it is running, or it failed and its next run will
 * commit the epochs pending in it), files no commit references are kept whatever their age.
 */
public final class TableMaintenance {

  /**
   * Pipeline configuration key: compact every table the update wrote (and checkpoint its log) after
   * each update that COMPLETED; {@code false} by default.
   */
  public static final String AFTER_UPDATE = "pipelines.maintenance.afterUpdate";

  /** Pipeline configuration key: also VACUUM those tables after each completed update; {@code false} by default. */
  public static final String VACUUM_AFTER_UPDATE = "pipelines.maintenance.vacuumAfterUpdate";

  /**
   * Table property, as Delta Live Tables names it: {@code false} keeps a table out of the maintenance
   * that runs after updates ({@code tributary maintain} still maintains it).
   */
  public static final String AUTO_OPTIMIZE = "pipelines.autoOptimize.managed";

  private TableMaintenance() {}

  /**
   * Maintains the tables {@code options} names (every table if none).
   *
   * @throws IllegalArgumentException naming every requested table the storage does not have
   */
  public static MaintenanceReport run(PipelineStorage storage, MaintenanceOptions options) {
    List<String> existing = tables(storage);
    List<String> unknown =
        options.tables().stream().filter(t -> !existing.contains(t)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "The pipeline storage "
              + storage.root()
              + " has no table "
              + String.join(", ", unknown.stream().map(t -> "'" + t + "'").toList())
              + ". Its tables: "
              + existing
              + ". Check the names passed to --tables.");
    }
    List<String> selected =
        options.tables().isEmpty()
            ? existing
            : existing.stream().filter(options.tables()::contains).toList();
    List<String> pending = storage.jobsWithRetainedCheckpoints();
    Optional<String> keepOrphans =
        pending.isEmpty()
            ? Optional.empty()
            : Optional.of(
                "job(s) "
                    + pending
                    + " have a retained checkpoint, whose pending epoch may still commit them; run an update first");
    List<TableReport> reports = new ArrayList<>();
    for (String table : selected) {
      reports.add(maintain(storage, table, options, keepOrphans));
    }
    return new MaintenanceReport(reports, options.dryRun());
  }

  private static TableReport maintain(
      PipelineStorage storage,
      String table,
      MaintenanceOptions options,
      Optional<String> keepOrphans) {
    String path = storage.tablePath(table);
    Optional<DeltaCompaction.Result> compaction = Optional.empty();
    Optional<DeltaVacuum.Result> vacuum = Optional.empty();
    Optional<DeltaLogMaintenance.Result> log = Optional.empty();
    try {
      if (options.compact()) {
        compaction =
            Optional.of(
                DeltaCompaction.compact(
                    path, options.targetFileBytes(), options.dryRun(), storage.hadoopConf()));
      }
      if (options.vacuum()) {
        vacuum =
            Optional.of(
                DeltaVacuum.vacuum(
                    path,
                    options.retention(),
                    options.forceRetention(),
                    keepOrphans,
                    options.dryRun(),
                    storage.hadoopConf()));
      }
      if (options.log()) {
        log = Optional.of(DeltaLogMaintenance.run(path, options.dryRun(), storage.hadoopConf()));
      }
      return new TableReport(table, compaction, vacuum, log, Optional.empty());
    } catch (RuntimeException e) {
      return new TableReport(
          table, compaction, vacuum, log, Optional.of(String.valueOf(e.getMessage())));
    }
  }

  /** The Delta tables under {@code <storage>/tables}, by name. */
  public static List<String> tables(PipelineStorage storage) {
    Path dir = new Path(storage.root(), "tables");
    try {
      FileSystem fs = dir.getFileSystem(storage.hadoopConf());
      TreeSet<String> names = new TreeSet<>();
      if (fs.exists(dir)) {
        for (FileStatus status : fs.listStatus(dir)) {
          if (status.isDirectory() && fs.exists(new Path(status.getPath(), "_delta_log"))) {
            names.add(status.getPath().getName());
          }
        }
      }
      return List.copyOf(names);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the tables under " + dir + ": " + e.getMessage(), e);
    }
  }
}
