/**
 * Delta Lake I/O: the seam through which Tributary writes and reads every persisted table. This package
 * holds what its three rooms share; each room says its own rule in its {@code package-info}:
 * <ul>
 *   <li>{@link io.tributary.runtime.delta.write} — writing: the sink, its writer and committer
 *       operators, the table committer, data and deletion-vector files;</li>
 *   <li>{@link io.tributary.runtime.delta.read} — reading and streaming: snapshot and stream sources,
 *       lookups, the in-JVM table reader, the log's commits;</li>
 *   <li>{@link io.tributary.runtime.delta.maintain} — maintaining: compaction, vacuum, log
 *       maintenance.</li>
 * </ul>
 *
 * <p><b>Rule:</b> this package holds only what more than one room needs: the type mapping
 * ({@link io.tributary.runtime.delta.DeltaTypes}), the user-fault and stale-state exceptions
 * ({@link io.tributary.runtime.delta.DeltaTableException}, {@link io.tributary.runtime.delta.StaleStateException}),
 * the file model ({@link io.tributary.runtime.delta.DeltaDataFile}, {@code DeltaAddFile},
 * {@code DeltaDeletionVector}), table paths and the {@code _delta_log} listing ({@code DeltaPaths},
 * {@code DeltaLogDirectory}), and Kernel access ({@code KernelSnapshotScan}, {@code KernelValues},
 * {@code KernelIterators}). It depends on no room. Kernel internals ({@code io.delta.kernel.internal})
 * are used only in {@code KernelInternals}, pinned by its test; the rooms call it, never Kernel's
 * internals themselves.
 *
 * <p>The rooms depend on this package; {@code write} may read ({@code read}: the upsert writer reads
 * the table's schema, the committer reads back commit rows), {@code maintain} may use both, and
 * {@code read} uses neither. The whole of {@code delta} is internal: outside Tributary, read tables
 * with {@link io.tributary.runtime.tables.PipelineTables}.
 *
 * <p>State: no class name of this tree is stored in savepoints. The operators keep {@code byte[]} state
 * (Flink's own serializer) and the sources' splits and enumerator states go through
 * {@code SimpleVersionedSerializer}s, which store a version and bytes, not a class name; moving these
 * classes between the rooms is proven safe by {@code compat/StateCompatibilityITCase}.
 */
package io.tributary.runtime.delta;
