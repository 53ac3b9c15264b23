package io.tributary.runtime.delta.write;

/**
 * Every test of {@link DeltaUpsertWriterOperatorTest} on a keyed table with {@code
 * delta.enableDeletionVectors=false}: buckets rewritten copy-on-write, the table read by Kernel and
 * Delta Standalone.
 */
class DeltaUpsertWriterOperatorCopyOnWriteTest extends DeltaUpsertWriterOperatorTest {

  @Override
  boolean deletionVectors() {
    return false;
  }
}
