package io.tributary.runtime.delta.maintain;

import io.delta.kernel.Snapshot;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Compaction of one Delta table's small files: every epoch of a streaming table commits at least one
 * file per writer and partition, so a table that updates often is made of many small files, which
 * make every read slower. Files below the target size are bin-packed, per partition, into bins of up
 * to the target size; each bin of two or more files is read with Kernel (deletion vectors and
 * partition values applied) and written again by the sink's own writer ({@link DeltaFileWriter}, with
 * the statistics {@code ParquetFooterStats} takes from the footers), and all of it is committed as one
 * Delta commit that removes the small files and adds the new ones with {@code dataChange=false}
 * ({@link DeltaTableCommitter#commitRewrite}): the rows do not change, and streaming readers skip it.
 *
 * <p><b>Keyed tables are not compacted.</b> A table written by key ({@link
 * DeltaWriteSpec.WriteMode#UPSERT}, hash buckets under {@code bucket=NNNNN/}) has its writer keep
 * each bucket's file list in Flink keyed state and rewrite whole buckets itself ({@code
 * DeltaUpsertWriterOperator}); a file replaced behind its back would be read from that list after
 * being removed. Such a table is reported as skipped.
 *
 * <pre>{@code
 * DeltaCompaction.Result r = DeltaCompaction.compact("/data/tables/bronze_orders",
 *     DeltaWriteSpec.TARGET_FILE_BYTES, false, new Configuration());
 * }</pre>
 */
public final class DeltaCompaction {

  /** The message of a keyed table's skipped compaction. */
  public static final String KEYED_TABLE =
      "a keyed table (upserts by key, in bucket=NNNNN/ directories):"
          + " its writer keeps each bucket's files in Flink state and rewrites whole buckets itself, so it is"
          + " not compacted";

  private DeltaCompaction() {}

  /**
   * What a compaction did (or, in a dry run, would do) to one table.
   *
   * @param filesRemoved the small files rewritten
   * @param filesAdded the files written instead; in a dry run the number of bins (one file each
   *     unless a bin's rows come out larger than the target)
   * @param bytesAdded 0 in a dry run
   * @param version the table version committed; empty if nothing was (dry run, nothing to do, skipped)
   * @param skipped why the table was not compacted
   */
  public record Result(
      int filesBefore,
      int filesRemoved,
      long bytesRemoved,
      int filesAdded,
      long bytesAdded,
      OptionalLong version,
      boolean dryRun,
      Optional<String> skipped) {

    static Result skipped(int filesBefore, boolean dryRun, String why) {
      return new Result(filesBefore, 0, 0, 0, 0, OptionalLong.empty(), dryRun, Optional.of(why));
    }

    /** The table's files after the compaction. */
    public int filesAfter() {
      return filesBefore - filesRemoved + filesAdded;
    }
  }

  /** A group of small files of one partition rewritten into one file of at most the target size. */
  record Bin(Map<String, String> partition, List<FileStatus> files) {
    long bytes() {
      return files.stream().mapToLong(FileStatus::getSize).sum();
    }
  }

  /**
   * Compacts the latest snapshot of the table at {@code tablePath}.
   *
   * @param targetFileBytes files below this size are rewritten into files of about this size
   * @param dryRun plan only: nothing is read, written or committed
   * @throws DeltaTableException if there is no Delta table at {@code tablePath}
   */
  public static Result compact(
      String tablePath, long targetFileBytes, boolean dryRun, Configuration conf) {
    return compact(tablePath, targetFileBytes, 0, dryRun, conf);
  }

  /**
   * Compacts the latest snapshot of the table at {@code tablePath} if it has at least {@code
   * minSmallFiles} files below the target size (auto compaction); otherwise nothing is read or
   * written, and the result is skipped with the count.
   */
  public static Checked compactIfSmallFiles(
      String tablePath, long targetFileBytes, int minSmallFiles, Configuration conf) {
    int[] small = {0};
    Result result = compact(tablePath, targetFileBytes, minSmallFiles, false, conf, small);
    return new Checked(small[0], result);
  }

  /**
   * What {@link #compactIfSmallFiles} found and did.
   *
   * @param smallFiles the files below the target size in the snapshot it read
   */
  public record Checked(int smallFiles, Result result) {}

  private static Result compact(
      String tablePath,
      long targetFileBytes,
      int minSmallFiles,
      boolean dryRun,
      Configuration conf) {
    return compact(tablePath, targetFileBytes, minSmallFiles, dryRun, conf, new int[1]);
  }

  private static Result compact(
      String tablePath,
      long targetFileBytes,
      int minSmallFiles,
      boolean dryRun,
      Configuration conf,
      int[] smallFiles) {
    if (targetFileBytes <= 0) {
      throw new IllegalArgumentException("targetFileBytes must be positive: " + targetFileBytes);
    }
    Engine engine = KernelEngine.create(conf);
    Snapshot snapshot = KernelSnapshotScan.snapshot(engine, tablePath, -1);
    RowType rowType = DeltaTypes.toRowType(snapshot.getSchema());
    KernelSnapshotScan scan =
        new KernelSnapshotScan(engine, tablePath, snapshot.getVersion(), rowType);
    int filesBefore = scan.files().size();
    if (snapshot.getTableProperties().containsKey(DeltaWriteSpec.BUCKETS_PROPERTY)) {
      return Result.skipped(filesBefore, dryRun, KEYED_TABLE);
    }
    int small =
        (int) scan.fileStatuses().stream().filter(f -> f.getSize() < targetFileBytes).count();
    smallFiles[0] = small;
    if (small < minSmallFiles) {
      return Result.skipped(
          filesBefore,
          dryRun,
          "only " + small + " file(s) below the target size, fewer than " + minSmallFiles);
    }
    List<Bin> bins = plan(scan, targetFileBytes);
    int filesRemoved = bins.stream().mapToInt(b -> b.files().size()).sum();
    long bytesRemoved = bins.stream().mapToLong(Bin::bytes).sum();
    if (dryRun || bins.isEmpty()) {
      return new Result(
          filesBefore,
          filesRemoved,
          bytesRemoved,
          bins.size(),
          0,
          OptionalLong.empty(),
          dryRun,
          Optional.empty());
    }
    List<String> partitionColumns = snapshot.getPartitionColumnNames();
    List<DeltaDataFile> added = new ArrayList<>();
    try {
      rewrite(scan, bins, tablePath, rowType, partitionColumns, targetFileBytes, conf, added);
      DeltaWriteSpec spec =
          new DeltaWriteSpec(
                  tablePath,
                  rowType,
                  DeltaWriteSpec.WriteMode.APPEND,
                  "tributary-maintenance",
                  1,
                  partitionColumns,
                  Optional.empty(),
                  Map.of())
              .withHadoop(io.tributary.runtime.storage.HadoopSettings.from(conf));
      List<String> removed =
          bins.stream().flatMap(b -> b.files().stream()).map(FileStatus::getPath).toList();
      long version =
          new DeltaTableCommitter(engine, spec).commitRewrite(snapshot.getSchema(), removed, added);
      return new Result(
          filesBefore,
          filesRemoved,
          bytesRemoved,
          added.size(),
          added.stream().mapToLong(DeltaDataFile::size).sum(),
          OptionalLong.of(version),
          false,
          Optional.empty());
    } catch (DeltaTableException e) {
      deleteQuietly(added, conf);
      return Result.skipped(filesBefore, false, e.getMessage());
    } catch (IOException | RuntimeException e) {
      deleteQuietly(added, conf);
      if (e instanceof IOException io) {
        throw new UncheckedIOException(
            "Table '" + tablePath + "': compaction failed: " + e.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * The bins to rewrite: per partition, the files below the target in the order they were written
   * (modification time, then path), packed greedily into bins of at most the target size; a bin of
   * one file is left alone, as rewriting it would not reduce the file count.
   */
  static List<Bin> plan(KernelSnapshotScan scan, long targetFileBytes) {
    Map<Map<String, String>, List<FileStatus>> byPartition = new LinkedHashMap<>();
    List<FileStatus> files = new ArrayList<>(scan.fileStatuses());
    files.sort(
        Comparator.comparingLong(FileStatus::getModificationTime)
            .thenComparing(FileStatus::getPath));
    for (FileStatus file : files) {
      if (file.getSize() < targetFileBytes) {
        byPartition
            .computeIfAbsent(scan.partitionValues(file.getPath()), k -> new ArrayList<>())
            .add(file);
      }
    }
    List<Bin> bins = new ArrayList<>();
    for (Map.Entry<Map<String, String>, List<FileStatus>> partition : byPartition.entrySet()) {
      List<FileStatus> bin = new ArrayList<>();
      long bytes = 0;
      for (FileStatus file : partition.getValue()) {
        if (!bin.isEmpty() && bytes + file.getSize() > targetFileBytes) {
          addIfSeveral(bins, partition.getKey(), bin);
          bin = new ArrayList<>();
          bytes = 0;
        }
        bin.add(file);
        bytes += file.getSize();
      }
      addIfSeveral(bins, partition.getKey(), bin);
    }
    return bins;
  }

  private static void addIfSeveral(
      List<Bin> bins, Map<String, String> partition, List<FileStatus> files) {
    if (files.size() > 1) {
      bins.add(new Bin(partition, List.copyOf(files)));
    }
  }

  /** Writes each bin's rows into new files (one writer per bin, closed before the next opens). */
  private static void rewrite(
      KernelSnapshotScan scan,
      List<Bin> bins,
      String tablePath,
      RowType rowType,
      List<String> partitionColumns,
      long targetFileBytes,
      Configuration conf,
      List<DeltaDataFile> added)
      throws IOException {
    for (Bin bin : bins) {
      try (DeltaFileWriter writer =
          new DeltaFileWriter(tablePath, rowType, partitionColumns, targetFileBytes, conf, 0)) {
        for (FileStatus file : bin.files()) {
          try (CloseableIterator<RowData> rows = scan.read(file.getPath())) {
            while (rows.hasNext()) {
              writer.write(rows.next());
            }
          }
        }
        added.addAll(writer.closeAll());
      }
    }
  }

  private static void deleteQuietly(List<DeltaDataFile> files, Configuration conf) {
    for (DeltaDataFile file : files) {
      try {
        Path path = new Path(file.path());
        path.getFileSystem(conf).delete(path, false);
      } catch (IOException e) {
        // left for VACUUM: an unreferenced file is deleted once older than the retention
      }
    }
  }
}
