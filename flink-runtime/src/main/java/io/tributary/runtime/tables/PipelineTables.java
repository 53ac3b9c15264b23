package io.tributary.runtime.tables;

import io.tributary.runtime.delta.DeltaTableReader;
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

  /** The tables of the pipeline whose storage root is {@code storage} (a local folder or a Hadoop URI). */
  public static PipelineTables open(String storage) {
    return open(storage, new Configuration());
  }

  /** As {@link #open(String)}, with the Hadoop configuration of the storage's file system. */
  public static PipelineTables open(String storage, Configuration hadoopConf) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(hadoopConf, "hadoopConf");
    return new PipelineTables(storage, hadoopConf);
  }

  /** The Delta table at {@code tablePath}, inside a pipeline or not. */
  public static TableView path(String tablePath) {
    Objects.requireNonNull(tablePath, "tablePath");
    String name = new Path(tablePath).getName();
    return new TableView(name, tablePath, new Configuration());
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
      throw new UncheckedIOException("Cannot list the tables under " + tables + ": " + e.getMessage(), e);
    }
    names.sort(null);
    return names;
  }

  /** The table {@code name}, if it has been written. */
  public Optional<TableView> find(String name) {
    Objects.requireNonNull(name, "name");
    TableView view = new TableView(name, new Path(storage, "tables/" + name).toString(), hadoopConf);
    return DeltaTableReader.schema(view.path()).isPresent() ? Optional.of(view) : Optional.empty();
  }

  /**
   * The table {@code name}.
   *
   * @throws IllegalArgumentException if no such table has been written, naming the tables there are
   */
  public TableView table(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("Table '" + name + "' does not exist under "
        + storage + "/tables. Tables there: " + names() + ". A dataset gets its table when an update first writes "
        + "it; a view has none."));
  }
}
