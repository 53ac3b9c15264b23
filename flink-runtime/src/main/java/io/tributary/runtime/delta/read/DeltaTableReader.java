package io.tributary.runtime.delta.read;

import io.delta.kernel.Table;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;

/**
 * Internal: reads a Delta table outside a Flink job, in this JVM (its schema, its version, its rows),
 * for the CLI's summaries and Tributary's own tests; jobs use {@link DeltaSnapshotSource}. Services and
 * users' tests read tables through the public {@link io.tributary.runtime.tables.PipelineTables} and
 * {@link io.tributary.runtime.tables.TableView}, which this class serves and which will outlive it.
 *
 * <pre>{@code
 * List<Row> rows = DeltaTableReader.readAll("/data/tables/gold_daily_metrics");
 * }</pre>
 */
public final class DeltaTableReader {

  private DeltaTableReader() {}

  /** The table's schema as Flink sees it, or empty if there is no Delta table at {@code path}. */
  public static Optional<RowType> schema(String path) {
    return schema(path, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #schema(String)}, through a file system set up by {@code conf}. */
  public static Optional<RowType> schema(String path, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    try {
      return Optional.of(
          DeltaTypes.toRowType(Table.forPath(engine, path).getLatestSnapshot(engine).getSchema()));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The table's properties as of its latest version, or empty if there is no Delta table at {@code path}. */
  public static Optional<java.util.Map<String, String>> properties(String path) {
    return properties(path, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #properties(String)}, through a file system set up by {@code conf}. */
  public static Optional<java.util.Map<String, String>> properties(
      String path, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    try {
      return Optional.of(
          java.util.Map.copyOf(
              Table.forPath(engine, path).getLatestSnapshot(engine).getTableProperties()));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The table's latest version. */
  public static long version(String path) {
    return version(path, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #version(String)}, through a file system set up by {@code conf}. */
  public static long version(String path, Configuration conf) {
    return KernelSnapshotScan.snapshot(KernelEngine.create(conf), path, -1).getVersion();
  }

  /** Every row of the table's latest snapshot, as Flink external values (String, Instant, ...). */
  public static List<Row> readAll(String path) {
    return readAll(path, -1);
  }

  /** Every row of the given version ({@code -1}: the latest) of the table. */
  public static List<Row> readAll(String path, long version) {
    return readAll(path, version, HadoopSettings.none().toConfiguration());
  }

  /** As {@link #readAll(String, long)}, through a file system set up by {@code conf}. */
  public static List<Row> readAll(String path, long version, Configuration conf) {
    Engine engine = KernelEngine.create(conf);
    RowType rowType =
        DeltaTypes.toRowType(KernelSnapshotScan.snapshot(engine, path, version).getSchema());
    DataStructureConverter<Object, Object> converter =
        DataStructureConverters.getConverter(TypeConversions.fromLogicalToDataType(rowType));
    converter.open(DeltaTableReader.class.getClassLoader());
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, path, version, rowType);
    List<Row> rows = new ArrayList<>();
    try {
      for (String file : scan.files()) {
        Iterator<RowData> it = scan.read(file);
        while (it.hasNext()) {
          rows.add((Row) converter.toExternal(it.next()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /**
   * A Kernel engine with this process's Hadoop defaults: for tables read outside a pipeline (tests, a
   * catalog without settings). Jobs use {@link #engine(HadoopSettings)}.
   */
  public static Engine engine() {
    return engine(HadoopSettings.none());
  }

  /** A Kernel engine whose file system is set up by the pipeline's {@code settings}, made where it runs. */
  public static Engine engine(HadoopSettings settings) {
    return KernelEngine.create(settings.toConfiguration());
  }
}
