/**
 * Reading and streaming Delta tables.
 *
 * <p>{@link io.tributary.runtime.delta.read.DeltaSnapshotSource} reads one snapshot in a job;
 * {@link io.tributary.runtime.delta.read.DeltaStreamSource} streams a table's appends from a version
 * on ({@code DeltaStreamEnumerator} reads the log's commits through {@code DeltaCommitLog}), both
 * handing out {@link io.tributary.runtime.delta.read.DeltaFileSplit}s read by
 * {@code DeltaSnapshotReader}; {@link io.tributary.runtime.delta.read.DeltaLookupFunction} serves
 * lookup joins; {@link io.tributary.runtime.delta.read.DeltaTableReader} and
 * {@link io.tributary.runtime.delta.read.DeltaTableSummary} read a table in this JVM (CLI, services,
 * tests); {@link io.tributary.runtime.delta.read.DeltaCommitRows} reads back what each commit added
 * and removed; {@link io.tributary.runtime.delta.read.DeltaTableHistory} says whether a stream's saved
 * position still fits a table (the same table id, only appends since).
 *
 * <p><b>Rule:</b> everything that only reads a table (data or log) belongs here. It may depend on
 * {@code io.tributary.runtime.delta} alone, never on {@code write} or {@code maintain}. Splits and
 * enumerator states are written by {@code SimpleVersionedSerializer}s (a version and bytes): change
 * their byte layout only with a new version that still reads the old one.
 */
package io.tributary.runtime.delta.read;
