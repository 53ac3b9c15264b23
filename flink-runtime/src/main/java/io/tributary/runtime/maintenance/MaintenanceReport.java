package io.tributary.runtime.maintenance;

import io.tributary.runtime.delta.maintain.DeltaCompaction;
import io.tributary.runtime.delta.maintain.DeltaLogMaintenance;
import io.tributary.runtime.delta.maintain.DeltaVacuum;
import java.util.List;
import java.util.Locale;

/** What one maintenance run did, table by table, in table name order. */
public record MaintenanceReport(List<TableReport> tables, boolean dryRun) {

  public MaintenanceReport {
    tables = List.copyOf(tables);
  }

  /** Whether the maintenance of some table failed. */
  public boolean failed() {
    return tables.stream().anyMatch(t -> t.error().isPresent());
  }

  /**
   * The report as text, a block per table; a dry run lists each file VACUUM would delete.
   *
   * <pre>
   * bronze_orders
   *   compaction: 8 small files (5.2 KB) rewritten into 2 (2.1 KB): 8 files -> 2 (version 5)
   *   vacuum: 3 files deleted, 1.9 KB freed (retention 168 h)
   *   log: checkpoint of version 5; 0 expired log files deleted (log retention 720 h)
   * </pre>
   */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (TableReport table : tables) {
      out.append(table.table()).append('\n');
      table
          .compaction()
          .ifPresent(c -> out.append("  compaction: ").append(compaction(c)).append('\n'));
      table
          .vacuum()
          .ifPresent(
              v -> {
                out.append("  vacuum: ").append(vacuum(v)).append('\n');
                if (v.dryRun()) {
                  v.deleted().forEach(f -> out.append("    ").append(f).append('\n'));
                }
              });
      table.log().ifPresent(l -> out.append("  log: ").append(log(l)).append('\n'));
      table.error().ifPresent(e -> out.append("  failed: ").append(e).append('\n'));
    }
    return out.toString();
  }

  static String compaction(DeltaCompaction.Result c) {
    if (c.skipped().isPresent()) {
      return "skipped: " + c.skipped().get();
    }
    if (c.filesRemoved() == 0) {
      return "nothing to compact (" + files(c.filesBefore()) + ")";
    }
    if (c.dryRun()) {
      return "would rewrite "
          + c.filesRemoved()
          + " small files ("
          + bytes(c.bytesRemoved())
          + ") into about "
          + c.filesAdded()
          + ": "
          + files(c.filesBefore())
          + " -> "
          + c.filesAfter();
    }
    return c.filesRemoved()
        + " small files ("
        + bytes(c.bytesRemoved())
        + ") rewritten into "
        + c.filesAdded()
        + " ("
        + bytes(c.bytesAdded())
        + "): "
        + files(c.filesBefore())
        + " -> "
        + c.filesAfter()
        + " (version "
        + c.version().getAsLong()
        + ")";
  }

  static String vacuum(DeltaVacuum.Result v) {
    String files = files(v.deleted().size());
    return (v.dryRun() ? "would delete " + files + ", freeing " : files + " deleted, freed ")
        + bytes(v.bytes())
        + " (retention "
        + hours(v)
        + ")"
        + v.note().map(n -> "; " + n).orElse("");
  }

  static String log(DeltaLogMaintenance.Result l) {
    String checkpoint =
        l.checkpoint().isPresent()
            ? (l.dryRun() ? "would checkpoint version " : "checkpoint of version ")
                + l.checkpoint().getAsLong()
            : "the latest version has a checkpoint";
    String cleanup =
        l.logRetention().isEmpty()
            ? "expired log cleanup is disabled (delta.enableExpiredLogCleanup)"
            : l.dryRun()
                ? "expired log files are not counted in a dry run"
                : l.logFilesDeleted()
                    + " expired log files deleted (log retention "
                    + l.logRetention().get().toHours()
                    + " h)";
    return checkpoint + "; " + cleanup;
  }

  private static String files(int n) {
    return n + (n == 1 ? " file" : " files");
  }

  private static String hours(DeltaVacuum.Result v) {
    long minutes = v.retention().toMinutes();
    return minutes % 60 == 0 ? minutes / 60 + " h" : minutes + " min";
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KB", "MB", "GB", "TB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
