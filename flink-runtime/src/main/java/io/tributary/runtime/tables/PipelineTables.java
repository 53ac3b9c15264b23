package io.tributary.runtime.tables;

import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The tables of a pipeline's storage, read from this JVM: the public way for a service or a test to
 * read what a pipeline wrote (rows as Flink {@link org.apache.flink.types.Row}s or plain Java maps,
 * schema, version, history). It reads each table's Delta log and files with Delta Kernel and needs
 * no Flink cluster.
 *
 * <pre>{@code
 * PipelineTables tables = PipelineTables.open("/data/pipelines/orders");
 * TableView gold = tables.table("gold_orders_per_customer");
 * long version = gold.version();
 * for (Map<String, Object> row : gold.rowsAsMaps()) {
 *   System.out.println(row.get("customer_id") + " " + row.get("orders"));
 * }
 * List<TableCommit> history = gold.history();
 * }</pre>
 *
 * <p>A storage root that needs the pipeline's Hadoop settings (an S3 endpoint, HDFS HA settings)
 * opens with them, as the pipeline's {@code hadoop:} block gives them:
 * {@code PipelineTables.open("s3a://bucket/pipelines/orders", HadoopSettings.of(Map.of("fs.s3a.endpoint", …)))}.
 *
 * <p>Any other Delta table opens by its path with {@link #path(String)}. The classes of
 * {@code io.tributary.runtime.delta} (such as {@code DeltaTableReader}) are internal and may change.
 */
public final class PipelineTables {

  private final String storage;
  private final Configuration hadoopConf;

  private PipelineTables(String storage, Configuration hadoopConf) {
    this.storage = storage;
    this.hadoopConf = hadoopConf;
  }

  /**
   * The tables of the pipeline whose storage root is {@code storage} (a local folder or a Hadoop URI),
   * read with this process's Hadoop defaults ({@code s3://} as S3A).
   */
  public static PipelineTables open(String storage) {
    return open(storage, HadoopSettings.none());
  }

  /**
   * As {@link #open(String)}, with the pipeline's Hadoop settings laid over this process's defaults,
   * as the pipeline's operators read and write them ({@link HadoopSettings#toConfiguration()}).
   */
  public static PipelineTables open(String storage, HadoopSettings hadoopSettings) {
    Objects.requireNonNull(hadoopSettings, "hadoopSettings");
    return open(storage, hadoopSettings.toConfiguration());
  }

  /** The tables of a pipeline's storage, with its Hadoop settings. */
  public static PipelineTables open(PipelineStorage storage) {
    Objects.requireNonNull(storage, "storage");
    return open(storage.root(), storage.hadoopConf());
  }

  /** As {@link #open(String)}, with {@code hadoopConf} as the whole Hadoop configuration of the storage. */
  public static PipelineTables open(String storage, Configuration hadoopConf) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(hadoopConf, "hadoopConf");
    return new PipelineTables(storage, hadoopConf);
  }

  /** The Delta table at {@code tablePath}, inside a pipeline or not, read with this process's Hadoop defaults. */
  public static TableView path(String tablePath) {
    return path(tablePath, HadoopSettings.none());
  }

  /** As {@link #path(String)}, with the pipeline's Hadoop settings laid over this process's defaults. */
  public static TableView path(String tablePath, HadoopSettings hadoopSettings) {
    Objects.requireNonNull(tablePath, "tablePath");
    Objects.requireNonNull(hadoopSettings, "hadoopSettings");
    String name = new Path(tablePath).getName();
    return new TableView(name, tablePath, hadoopSettings.toConfiguration());
  }

  /** The storage root these tables live under. */
  public String storage() {
    return storage;
  }

  /** The names of the tables written so far, sorted (a dataset that has never been written has none). */
  public List<String> names() {
    Path tables = new Path(storage, "tables");
    List<String> names = new ArrayList<>();
    try {
      FileSystem fs = tables.getFileSystem(hadoopConf);
      for (FileStatus status : fs.listStatus(tables)) {
        if (status.isDirectory() && fs.exists(new Path(status.getPath(), "_delta_log"))) {
          names.add(status.getPath().getName());
        }
      }
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the tables under " + tables + ": " + e.getMessage(), e);
    }
    names.sort(null);
    return names;
  }

  /** The table {@code name}, if it has been written. */
  public Optional<TableView> find(String name) {
    Objects.requireNonNull(name, "name");
    TableView view =
        new TableView(
            name,
            new Path(storage, "tables/" + PipelineStorage.segment(name)).toString(),
            hadoopConf);
    return DeltaTableReader.schema(view.path(), hadoopConf).isPresent()
        ? Optional.of(view)
        : Optional.empty();
  }

  /**
   * The table {@code name}.
   *
   * @throws IllegalArgumentException if no such table has been written, naming the tables there are
   */
  public TableView table(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Table '"
                        + name
                        + "' does not exist under "
                        + storage
                        + "/tables. Tables there: "
                        + names()
                        + ". A dataset gets its table when an update first writes "
                        + "it; a view has none."));
  }
}
