package io.tributary.dsl;

import java.util.Objects;
import java.util.Optional;
import org.apache.flink.table.api.Table;

/**
 * Produces the snapshots an {@code applyChangesFromSnapshot} flow applies, one version at a time
 * (DLT's {@code source} function of {@code create_auto_cdc_from_snapshot_flow}). Each update calls
 * it with the latest version applied to the target (empty before the first), then with each version
 * it returned, until it returns empty: return the next snapshot and its version, or empty when there
 * is nothing newer.
 *
 * <pre>{@code
 * p.applyChangesFromSnapshot("products").fromSnapshots((ctx, latest) -> {
 *   long next = latest.orElse(0L) + 1;
 *   return exportExists(next)
 *       ? Optional.of(SnapshotFunction.snapshot(ctx.tableEnvironment().from(exportTable(next)), next))
 *       : Optional.empty();
 * }).keys("product_id");
 * }</pre>
 *
 * <p>The function runs when the job is built, on the machine building it; it must be deterministic
 * for a version (a retried update asks again) and read only data from outside the pipeline: to
 * snapshot a dataset of the pipeline, use {@code fromSnapshot("dataset")}.
 */
@FunctionalInterface
public interface SnapshotFunction {

  /**
   * The snapshot after {@code latestVersion}, or empty when there is none yet. A snapshot whose
   * version is not above {@code latestVersion} is skipped and ends this update's snapshots.
   */
  Optional<Snapshot> next(QueryContext ctx, Optional<Long> latestVersion);

  /** The full contents of a source at {@code version}. */
  static Snapshot snapshot(Table rows, long version) {
    return new Snapshot(rows, version);
  }

  /**
   * One full snapshot of a source: its rows and its version, which orders snapshots and, for SCD
   * type 2, becomes {@code __START_AT} and {@code __END_AT}.
   */
  record Snapshot(Table rows, long version) {
    public Snapshot {
      Objects.requireNonNull(rows, "rows");
    }
  }
}
