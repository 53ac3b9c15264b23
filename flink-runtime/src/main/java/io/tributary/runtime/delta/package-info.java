/**
 * Delta Lake I/O: the seam through which Tributary writes and reads every persisted table.
 *
 * <p>Writing: {@link io.tributary.runtime.delta.DeltaSink#write} puts parallel Parquet writers
 * ({@code DeltaWriterOperator}) in front of one committer ({@code DeltaCommitterOperator}) that makes
 * one Delta commit per epoch with Delta Kernel ({@link io.tributary.runtime.delta.DeltaTableCommitter}),
 * each carrying a transaction identifier so a replayed commit is skipped: exactly once across failures,
 * restarts and stop-with-savepoint. Types follow {@link io.tributary.runtime.delta.DeltaTypes}.
 *
 * <p>Keyed tables: {@link io.tributary.runtime.delta.DeltaSink#upsert} applies a changelog (upserts
 * and deletes by key columns) copy-on-write, table laid out in hash buckets ({@code bucket=NNNNN/});
 * each epoch rewrites only the buckets its keys fall in ({@code DeltaUpsertWriterOperator}) and
 * commits their removes and adds in one commit with no Kernel retry
 * ({@link io.tributary.runtime.delta.DeltaTableCommitter#commitChanges}).
 *
 * <p>Reading: {@link io.tributary.runtime.delta.DeltaSnapshotSource} reads one snapshot in a job;
 * {@link io.tributary.runtime.delta.DeltaTableReader} reads a table in this JVM. This package is internal:
 * outside Tributary, read tables with {@link io.tributary.runtime.tables.PipelineTables}.
 *
 * <p>Maintenance: {@link io.tributary.runtime.delta.DeltaCompaction} (small files rewritten in one
 * {@code dataChange=false} commit), {@link io.tributary.runtime.delta.DeltaVacuum} (dead and orphan
 * files older than the retention) and {@link io.tributary.runtime.delta.DeltaLogMaintenance}
 * (checkpoint, expired log files).
 *
 * <p>Kernel internals are used only in {@code KernelInternals}, pinned by its test.
 */
package io.tributary.runtime.delta;
