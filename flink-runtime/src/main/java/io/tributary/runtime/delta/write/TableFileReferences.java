package io.tributary.runtime.delta.write;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaLogDirectory;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelIterators;
import io.tributary.runtime.delta.KernelSnapshotScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * The files a Delta table's log references: those of its latest snapshot (data files and the deletion
 * vector files they use) and those its {@code remove} actions name (with the deletion vector files of
 * the removed files). VACUUM and the cleanup of a dead run's files ({@link DeadAttemptFiles}) both ask
 * it; a file is named by {@link #key}, the decoded path of its URI, whoever names it.
 */
public final class TableFileReferences {

  private static final StructType REMOVES =
      new StructType()
          .add(
              "remove",
              new StructType()
                  .add("path", StringType.STRING)
                  .add("deletionTimestamp", LongType.LONG)
                  .add(
                      "deletionVector",
                      new StructType()
                          .add("storageType", StringType.STRING)
                          .add("pathOrInlineDv", StringType.STRING)));

  private TableFileReferences() {}

  /** The data files of {@code snapshot} and the deletion vector files they use, as {@link #key}s. */
  public static Set<String> liveFiles(
      Engine engine, String tablePath, Snapshot snapshot, Path root) {
    Set<String> live = new HashSet<>();
    KernelSnapshotScan scan =
        new KernelSnapshotScan(
            engine,
            tablePath,
            snapshot.getVersion(),
            DeltaTypes.toRowType(new StructType().add(snapshot.getSchema().at(0))));
    for (DeltaDataFile file : scan.dataFiles()) {
      live.add(key(new Path(file.path())));
      deletionVectorFile(file.deletionVector(), root).ifPresent(dv -> live.add(key(dv)));
    }
    return live;
  }

  /** The file a deletion vector is stored in, if it is stored in a file (not inline, not absent). */
  static Optional<Path> deletionVectorFile(DeltaDeletionVector dv, Path root) {
    return dv == null || dv.storageType().equals("i")
        ? Optional.empty()
        : Optional.of(DeletionVectorStore.path(dv, root));
  }

  /**
   * Each file a {@code remove} action names, and each deletion vector file it names as the vector of
   * the file it removes, with the latest removal time the log gives it: from the newest checkpoint
   * (which keeps the removes younger than the table's retention), the commits after it, and every
   * commit written since {@code cutoff} (a remove older than that is expired anyway).
   */
  public static Map<String, Long> removedFiles(
      Engine engine, Path root, long cutoff, Configuration conf) {
    DeltaLogDirectory log = DeltaLogDirectory.list(root, conf);
    OptionalLong checkpoint = log.lastCheckpoint();
    List<FileStatus> commits =
        log.commits().stream()
            .filter(
                f ->
                    checkpoint.isEmpty()
                        || DeltaLogDirectory.version(f) > checkpoint.getAsLong()
                        || f.getModificationTime() >= cutoff)
            .toList();
    Map<String, Long> removed = new HashMap<>();
    try {
      if (!commits.isEmpty()) {
        try (CloseableIterator<ColumnarBatch> batches =
            engine
                .getJsonHandler()
                .readJsonFiles(
                    KernelIterators.of(
                        commits.stream().map(TableFileReferences::kernelStatus).iterator()),
                    REMOVES,
                    Optional.empty())) {
          batches.forEachRemaining(batch -> addRemoves(batch, root, removed));
        }
      }
      if (checkpoint.isPresent()) {
        try (CloseableIterator<FileReadResult> batches =
            engine
                .getParquetHandler()
                .readParquetFiles(
                    KernelIterators.of(
                        log.checkpointFiles(checkpoint.getAsLong()).stream()
                            .map(TableFileReferences::kernelStatus)
                            .iterator()),
                    REMOVES,
                    Optional.empty())) {
          batches.forEachRemaining(result -> addRemoves(result.getData(), root, removed));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the log of " + root + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private static void addRemoves(ColumnarBatch batch, Path root, Map<String, Long> removed) {
    ColumnVector remove = batch.getColumnVector(0);
    ColumnVector path = remove.getChild(0);
    ColumnVector time = remove.getChild(1);
    ColumnVector dv = remove.getChild(2);
    for (int i = 0; i < batch.getSize(); i++) {
      if (!remove.isNullAt(i) && !path.isNullAt(i)) {
        // a remove with no timestamp is treated as removed now: kept for a whole retention
        long at = time.isNullAt(i) ? Long.MAX_VALUE : time.getLong(i);
        removed.merge(key(resolve(root, path.getString(i))), at, Math::max);
        if (!dv.isNullAt(i) && !dv.getChild(0).isNullAt(i) && !dv.getChild(1).isNullAt(i)) {
          String storageType = dv.getChild(0).getString(i);
          if (!storageType.equals("i")) {
            Path file = DeletionVectorStore.path(storageType, dv.getChild(1).getString(i), root);
            removed.merge(key(file), at, Math::max);
          }
        }
      }
    }
  }

  /** A path of the log (a URI, relative to the table root or absolute) as a Hadoop path. */
  private static Path resolve(Path root, String logPath) {
    try {
      URI uri = new URI(logPath);
      return uri.isAbsolute() ? new Path(uri) : new Path(root, new Path(uri));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(
          "Table " + root + " has a file path its log cannot hold: " + logPath, e);
    }
  }

  /** One spelling of a file's location, whoever names it: the decoded path of its URI. */
  public static String key(Path path) {
    return path.toUri().getPath();
  }

  private static io.delta.kernel.utils.FileStatus kernelStatus(FileStatus status) {
    return io.delta.kernel.utils.FileStatus.of(
        status.getPath().toString(), status.getLen(), status.getModificationTime());
  }
}
