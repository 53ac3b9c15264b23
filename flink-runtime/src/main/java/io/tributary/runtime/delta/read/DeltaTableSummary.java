package io.tributary.runtime.delta.read;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * A table's version and row count, for the CLI's summaries. The count reads no data: each live file's
 * row count from its Parquet footer, less the rows its deletion vector deletes.
 */
public record DeltaTableSummary(long version, long rows) {

  /** The summary of the table at {@code path}, or empty if no table is there. */
  public static Optional<DeltaTableSummary> of(String path) {
    return of(path, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #of(String)}, through a file system set up by {@code conf}. */
  public static Optional<DeltaTableSummary> of(String path, Configuration conf) {
    Optional<RowType> schema = DeltaTableReader.schema(path, conf);
    if (schema.isEmpty()) {
      return Optional.empty();
    }
    KernelSnapshotScan scan =
        new KernelSnapshotScan(
            io.delta.kernel.defaults.engine.DefaultEngine.create(conf), path, -1, schema.get());
    long rows = 0;
    for (DeltaDataFile file : scan.dataFiles()) {
      try (ParquetFileReader footer =
          ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file.path()), conf))) {
        rows += footer.getRecordCount();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read the footer of "
                + file.path()
                + " of table "
                + path
                + ": "
                + e.getMessage(),
            e);
      }
      if (file.deletionVector() != null) {
        rows -= file.deletionVector().cardinality();
      }
    }
    return Optional.of(new DeltaTableSummary(scan.version(), rows));
  }
}
