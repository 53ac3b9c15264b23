package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * Adds the bucket rewrites of a keyed table ({@link DeltaBucketChange}) to the epoch the committer
 * is gathering, so the epoch's commit removes each file the table has at most once and adds each
 * file once. Two changes of one file in an epoch happen when the writers' barrier for a checkpoint
 * the committer never saw (aborted before it got here) splits a bucket's rewrites: a change that
 * builds on an earlier one replaces its file, and two that only delete rows by deletion vectors are
 * united into one vector (written under this run's {@link WriterAttempt}).
 */
final class EpochBucketChanges {

  private final DeltaWriteSpec spec;
  private final WriterAttempt attempt;

  EpochBucketChanges(DeltaWriteSpec spec, WriterAttempt attempt) {
    this.spec = spec;
    this.attempt = attempt;
  }

  /** Adds {@code change} to the files {@code epochs} received since the last checkpoint. */
  void add(DeltaBucketChange change, CommitterEpochs epochs) {
    List<DeltaDataFile> current = epochs.current;
    List<DeltaDataFile> currentRemoved = epochs.currentRemoved;
    Map<String, DeltaDataFile> united = new HashMap<>();
    for (DeltaDataFile file : change.removed()) {
      DeltaDataFile earlier =
          current.stream().filter(a -> a.path().equals(file.path())).findFirst().orElse(null);
      boolean removedAlready = currentRemoved.stream().anyMatch(r -> r.path().equals(file.path()));
      if (earlier == null && !removedAlready) {
        currentRemoved.add(file);
      } else if (earlier != null
          && DeltaDeletionVector.idOf(earlier.deletionVector())
              .equals(DeltaDeletionVector.idOf(file.deletionVector()))) {
        current.remove(earlier); // this change builds on the earlier one: it replaces its file
      } else {
        // a second change of the same logical file in this epoch: both only delete rows of it by
        // deletion vectors, so the file is added once with the union of both
        DeltaDataFile ours =
            change.added().stream()
                .filter(a -> a.path().equals(file.path()) && a.deletionVector() != null)
                .findFirst()
                .orElse(null);
        boolean sameBase =
            currentRemoved.stream()
                .anyMatch(
                    r ->
                        r.path().equals(file.path())
                            && DeltaDeletionVector.idOf(r.deletionVector())
                                .equals(DeltaDeletionVector.idOf(file.deletionVector())));
        if (earlier == null || earlier.deletionVector() == null || ours == null || !sameBase) {
          throw new IllegalStateException(
              "Table '"
                  + spec.tablePath()
                  + "': two writers changed data"
                  + " file "
                  + file.path()
                  + " in the same epoch (bucket "
                  + change.bucket()
                  + "), and one"
                  + " rewrote it, so their changes cannot be united; each bucket must have one writer");
        }
        current.remove(earlier);
        united.put(file.path(), unite(earlier, ours));
      }
    }
    for (DeltaDataFile file : change.added()) {
      current.add(
          file.deletionVector() != null && united.containsKey(file.path())
              ? united.get(file.path())
              : file);
    }
  }

  /** {@code a} with a new deletion vector deleting the rows of both {@code a}'s and {@code b}'s. */
  private DeltaDataFile unite(DeltaDataFile a, DeltaDataFile b) {
    Configuration conf = spec.hadoopConf();
    Path root = DeltaPaths.qualified(spec.tablePath(), conf);
    try (DeletionVectorStore.FileWriter writer =
        new DeletionVectorStore.FileWriter(root, conf, attempt.newFileId())) {
      DeltaDeletionVector dv =
          writer.add(
              RoaringBitmap.or(
                  DeletionVectorStore.read(a.deletionVector(), root, conf),
                  DeletionVectorStore.read(b.deletionVector(), root, conf)));
      writer.close();
      return a.withDeletionVector(dv);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Table '" + spec.tablePath() + "': cannot unite the deletion" + " vectors of " + a.path(),
          e);
    }
  }
}
