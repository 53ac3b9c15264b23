package io.tributary.runtime.delta;

import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.ExpressionHandler;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.engine.FileSystemClient;
import io.delta.kernel.engine.JsonHandler;
import io.delta.kernel.engine.MetricsReporter;
import io.delta.kernel.engine.ParquetHandler;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Delta Kernel engine every Delta read, write and maintenance of Tributary uses: Kernel's default
 * engine, except that a file Kernel asks to write atomically (a log checkpoint) appears under its name
 * only once complete.
 *
 * <p>Kernel's default engine writes such a file to a temporary name and renames it into place when
 * its stream closes, and it closes the stream when the write fails too. A checkpoint whose write was
 * interrupted (Flink cancelling the committer's task while it reads the commits to checkpoint) became
 * a {@code NNN.checkpoint.parquet} of a few bytes, which every later reader of the table, Tributary's
 * and any Delta reader, takes for the latest checkpoint and fails on ("is not a Parquet file"). Here
 * Kernel writes to a hidden name in the same folder, renamed to the real one only after Kernel's write
 * returned; a failed write leaves nothing ({@code KernelEngineTest}; found when a CI run's
 * {@code DeltaUpsertITCase} cancelled its job during a checkpoint).
 */
public final class KernelEngine implements Engine {

  private final Engine kernel;
  private final ParquetHandler parquet;

  private KernelEngine(Configuration conf) {
    this.kernel = DefaultEngine.create(conf);
    this.parquet = new CompleteFilesParquetHandler(kernel.getParquetHandler(), conf);
  }

  /** An engine over the file systems {@code conf} configures. */
  public static Engine create(Configuration conf) {
    return new KernelEngine(conf);
  }

  @Override
  public ExpressionHandler getExpressionHandler() {
    return kernel.getExpressionHandler();
  }

  @Override
  public JsonHandler getJsonHandler() {
    return kernel.getJsonHandler();
  }

  @Override
  public FileSystemClient getFileSystemClient() {
    return kernel.getFileSystemClient();
  }

  @Override
  public ParquetHandler getParquetHandler() {
    return parquet;
  }

  @Override
  public List<MetricsReporter> getMetricsReporters() {
    return kernel.getMetricsReporters();
  }

  /** Kernel's Parquet handler, whose atomic writes become visible only complete. */
  private static final class CompleteFilesParquetHandler implements ParquetHandler {

    private final ParquetHandler kernel;
    private final Configuration conf;

    CompleteFilesParquetHandler(ParquetHandler kernel, Configuration conf) {
      this.kernel = kernel;
      this.conf = conf;
    }

    @Override
    public CloseableIterator<FileReadResult> readParquetFiles(
        CloseableIterator<FileStatus> files, StructType schema, Optional<Predicate> predicate)
        throws IOException {
      return kernel.readParquetFiles(files, schema, predicate);
    }

    @Override
    public CloseableIterator<DataFileStatus> writeParquetFiles(
        String directory, CloseableIterator<FilteredColumnarBatch> data, List<Column> statsColumns)
        throws IOException {
      return kernel.writeParquetFiles(directory, data, statsColumns);
    }

    /**
     * Writes {@code data} to a hidden file beside {@code filePath} ({@code .NAME.UUID.tmp}, which no
     * Delta reader lists) and renames it to {@code filePath} once Kernel's write has returned; throws
     * {@link FileAlreadyExistsException} if {@code filePath} exists, as Kernel's handler does.
     */
    @Override
    public void writeParquetFileAtomically(
        String filePath, CloseableIterator<FilteredColumnarBatch> data) throws IOException {
      Path target = new Path(filePath);
      Path hidden =
          new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
      FileSystem fs = target.getFileSystem(conf);
      try {
        kernel.writeParquetFileAtomically(hidden.toString(), data);
        if (fs.exists(target)) {
          throw new FileAlreadyExistsException(filePath);
        }
        if (!fs.rename(hidden, target)) {
          throw fs.exists(target)
              ? new FileAlreadyExistsException(filePath)
              : new IOException("Could not rename " + hidden + " to " + target);
        }
      } catch (IOException | RuntimeException e) {
        try {
          fs.delete(hidden, false); // what the failed write left, if anything
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
  }
}
