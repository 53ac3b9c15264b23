package io.tributary.runtime.delta.write;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.Row;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaTableException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether the bucket rewrites of a keyed table may be committed on the table as it is: its bucket
 * count is the spec's, and, after the commit lost a race, the commits that won touched none of its
 * buckets. {@link DeltaTableCommitter#commitChanges} commits again only then; otherwise the rewrite
 * is based on stale content and fails.
 */
final class BucketConflicts {

  private BucketConflicts() {}

  /**
   * What the commits that won since {@code read} did to this commit's buckets: files this commit
   * removes that they removed (or gave another deletion vector), and files they added, or gave
   * another deletion vector, in buckets this commit rewrites.
   *
   * @param read the live files this commit read, by path
   * @param now the live files after the winning commits, by path
   */
  static List<String> conflicts(
      Map<String, Row> read,
      Map<String, Row> now,
      List<DeltaDataFile> removed,
      List<DeltaDataFile> added) {
    Set<Integer> buckets = new HashSet<>();
    Set<String> conflicts = new LinkedHashSet<>();
    for (DeltaDataFile file : removed) {
      buckets.add(BucketKeys.bucketOf(file.path()));
      Row live = now.get(file.path());
      if (live == null
          || !CommitActions.dvId(live).equals(DeltaDeletionVector.idOf(file.deletionVector()))) {
        conflicts.add(file.path());
      }
    }
    for (DeltaDataFile file : added) {
      buckets.add(BucketKeys.bucketOf(file.path()));
    }
    // a file added, or given another deletion vector, in one of this commit's buckets
    for (Map.Entry<String, Row> file : now.entrySet()) {
      Row before = read.get(file.getKey());
      if (buckets.contains(BucketKeys.bucketOf(file.getKey()))
          && (before == null
              || !CommitActions.dvId(file.getValue()).equals(CommitActions.dvId(before)))) {
        conflicts.add(file.getKey());
      }
    }
    return List.copyOf(conflicts);
  }

  /**
   * Fails with {@link DeltaTableException} if {@code snapshot} has a bucket count other than the
   * spec's: a keyed table's rows are found by bucket, so the count cannot change in place.
   */
  static void checkBuckets(Snapshot snapshot, DeltaWriteSpec spec) {
    String existing = snapshot.getTableProperties().get(DeltaWriteSpec.BUCKETS_PROPERTY);
    if (existing != null && !existing.equals(Integer.toString(spec.buckets()))) {
      throw DeltaTableException.bucketsChanged(
          spec.tablePath(), DeltaWriteSpec.BUCKETS_PROPERTY, existing, spec.buckets());
    }
  }
}
