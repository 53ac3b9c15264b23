/**
 * Maintaining Delta tables between updates.
 *
 * <p>{@link io.tributary.runtime.delta.maintain.DeltaCompaction} rewrites small files in one
 * {@code dataChange=false} commit; {@link io.tributary.runtime.delta.maintain.DeltaVacuum} deletes dead
 * and orphan files older than the retention; {@link io.tributary.runtime.delta.maintain.DeltaLogMaintenance}
 * writes a checkpoint and removes expired log files. {@code maintenance/TableMaintenance} runs them
 * after an update and for {@code tributary maintain}.
 *
 * <p><b>Rule:</b> work on a whole table outside any job belongs here. It may depend on
 * {@code io.tributary.runtime.delta}, {@code read} and {@code write} (compaction writes with the sink's
 * own file writer and committer); nothing in {@code read} or {@code write} depends on it.
 */
package io.tributary.runtime.delta.maintain;
