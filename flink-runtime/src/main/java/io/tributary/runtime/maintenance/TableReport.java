package io.tributary.runtime.maintenance;

import io.tributary.runtime.delta.maintain.DeltaCompaction;
import io.tributary.runtime.delta.maintain.DeltaLogMaintenance;
import io.tributary.runtime.delta.maintain.DeltaVacuum;
import java.util.Objects;
import java.util.Optional;

/**
 * What maintenance did to one table; a step not asked for (or not reached after an error) is empty.
 *
 * @param error why the table's maintenance stopped, if it failed; the steps before it are kept
 */
public record TableReport(
    String table,
    Optional<DeltaCompaction.Result> compaction,
    Optional<DeltaVacuum.Result> vacuum,
    Optional<DeltaLogMaintenance.Result> log,
    Optional<String> error) {

  public TableReport {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(compaction, "compaction");
    Objects.requireNonNull(vacuum, "vacuum");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(error, "error");
  }
}
