package io.tributary.runtime.delta.read;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelInternals;
import io.tributary.runtime.delta.KernelIterators;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * A table's version and row count, for the CLI's summaries. The count reads no data and, for files
 * whose add action records {@code numRecords} (every file Tributary and Delta's own writers add), no
 * data file either: each live file's count from the log, or from its Parquet footer where the log has
 * none (or statistics that do not parse), less the rows its deletion vector deletes.
 */
public record DeltaTableSummary(long version, long rows) {

  /** The summary of the table at {@code path}, or empty if no table is there. */
  public static Optional<DeltaTableSummary> of(String path) {
    return of(path, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #of(String)}, through a file system set up by {@code conf}. */
  public static Optional<DeltaTableSummary> of(String path, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    Snapshot snapshot;
    try {
      snapshot = Table.forPath(engine, path).getLatestSnapshot(engine);
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
    long rows = 0;
    for (FilteredColumnarBatch batch :
        KernelIterators.drain(snapshot.getScanBuilder().build().getScanFiles(engine, true))) {
      try (CloseableIterator<Row> files = batch.getRows()) {
        while (files.hasNext()) {
          rows += liveRows(files.next(), path, conf);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Optional.of(new DeltaTableSummary(snapshot.getVersion(), rows));
  }

  private static long liveRows(Row scanFile, String table, Configuration conf) {
    long rows =
        KernelInternals.numRecords(scanFile)
            .orElseGet(() -> footerRows(KernelInternals.dataFile(scanFile).getPath(), table, conf));
    DeltaDeletionVector deleted = KernelInternals.deletionVector(scanFile);
    return deleted == null ? rows : rows - deleted.cardinality();
  }

  private static long footerRows(String file, String table, Configuration conf) {
    try (ParquetFileReader footer =
        ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
      return footer.getRecordCount();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the footer of " + file + " of table " + table + ": " + e.getMessage(), e);
    }
  }
}
