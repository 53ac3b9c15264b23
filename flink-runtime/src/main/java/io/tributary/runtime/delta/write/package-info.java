/**
 * Writing Delta tables from a job.
 *
 * <p>{@link io.tributary.runtime.delta.write.DeltaSink#write} puts parallel Parquet writers
 * ({@code DeltaWriterOperator}, files by {@link io.tributary.runtime.delta.write.DeltaFileWriter} with
 * {@code RowDataWriteSupport}) in front of one committer ({@code DeltaCommitterOperator}) that makes
 * one Delta commit per epoch with Delta Kernel
 * ({@link io.tributary.runtime.delta.write.DeltaTableCommitter}), each carrying a transaction
 * identifier so a replayed commit is skipped: exactly once across failures, restarts and
 * stop-with-savepoint. What to write is a {@link io.tributary.runtime.delta.write.DeltaWriteSpec}.
 *
 * <p>Keyed tables: {@link io.tributary.runtime.delta.write.DeltaSink#upsert} applies a changelog
 * (upserts and deletes by key columns), the table laid out in hash buckets ({@code bucket=NNNNN/},
 * {@link io.tributary.runtime.delta.write.BucketKeys}); each epoch rewrites only the buckets its keys
 * fall in ({@code DeltaUpsertWriterOperator}), or marks deleted rows in deletion vectors
 * ({@link io.tributary.runtime.delta.write.DeletionVectorStore}), and commits their removes and adds
 * in one commit with no Kernel retry ({@code DeltaTableCommitter#commitChanges}).
 *
 * <p><b>Rule:</b> everything that creates data files, deletion-vector files or commits for a job
 * belongs here. It may depend on {@code io.tributary.runtime.delta} (shared types, Kernel access) and
 * on {@code io.tributary.runtime.delta.read} (the table's current schema, commit rows read back); never
 * on {@code maintain}. Operators here keep only {@code byte[]} state, so their class names are not in
 * savepoints; their uids are set by the translator.
 */
package io.tributary.runtime.delta.write;
