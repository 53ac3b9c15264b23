package io.tributary.runtime.maintenance;

import io.tributary.runtime.delta.maintain.DeltaVacuum;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one maintenance run does, checked when made (a retention below {@link DeltaVacuum#MIN_RETENTION}
 * is refused unless forced).
 *
 * <pre>{@code
 * MaintenanceOptions options = MaintenanceOptions.all().withTables(Set.of("bronze_orders")).withDryRun(true);
 * }</pre>
 *
 * @param tables the tables to maintain; empty: every table of the pipeline
 * @param compact compact small files (keyed tables are skipped)
 * @param vacuum delete dead files older than the retention
 * @param log checkpoint the latest version and delete expired log files
 * @param retention the VACUUM retention; empty: each table's {@code delta.deletedFileRetentionDuration}
 *     (7 days unless set)
 * @param forceRetention accept a retention below {@link DeltaVacuum#MIN_RETENTION}
 * @param dryRun report what would be done; change and delete nothing
 * @param targetFileBytes the size compaction writes files of, and below which a file is small
 */
public record MaintenanceOptions(
    Set<String> tables,
    boolean compact,
    boolean vacuum,
    boolean log,
    Optional<Duration> retention,
    boolean forceRetention,
    boolean dryRun,
    long targetFileBytes) {

  public MaintenanceOptions {
    tables = Set.copyOf(new TreeSet<>(tables));
    Objects.requireNonNull(retention, "retention");
    if (targetFileBytes <= 0) {
      throw new IllegalArgumentException(
          "targetFileBytes must be positive, was " + targetFileBytes);
    }
    retention.ifPresent(r -> DeltaVacuum.checkRetention(r, forceRetention));
  }

  /** Compaction, VACUUM with each table's retention, and log maintenance of every table. */
  public static MaintenanceOptions all() {
    return new MaintenanceOptions(
        Set.of(),
        true,
        true,
        true,
        Optional.empty(),
        false,
        false,
        DeltaWriteSpec.TARGET_FILE_BYTES);
  }

  public MaintenanceOptions withTables(Set<String> names) {
    return new MaintenanceOptions(
        names, compact, vacuum, log, retention, forceRetention, dryRun, targetFileBytes);
  }

  /** Which steps run. */
  public MaintenanceOptions withSteps(
      boolean compactFiles, boolean vacuumFiles, boolean maintainLog) {
    return new MaintenanceOptions(
        tables,
        compactFiles,
        vacuumFiles,
        maintainLog,
        retention,
        forceRetention,
        dryRun,
        targetFileBytes);
  }

  public MaintenanceOptions withRetention(Duration value) {
    return new MaintenanceOptions(
        tables, compact, vacuum, log, Optional.of(value), forceRetention, dryRun, targetFileBytes);
  }

  /** A retention below {@link DeltaVacuum#MIN_RETENTION}: only when no update or reader is running. */
  public MaintenanceOptions withForcedRetention(Duration value) {
    return new MaintenanceOptions(
        tables, compact, vacuum, log, Optional.of(value), true, dryRun, targetFileBytes);
  }

  public MaintenanceOptions withDryRun(boolean value) {
    return new MaintenanceOptions(
        tables, compact, vacuum, log, retention, forceRetention, value, targetFileBytes);
  }

  public MaintenanceOptions withTargetFileBytes(long value) {
    return new MaintenanceOptions(
        tables, compact, vacuum, log, retention, forceRetention, dryRun, value);
  }
}
