package io.tributary.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The layout of a pipeline's storage root, a local folder or any Hadoop URI:
 *
 * <pre>
 * &lt;storage&gt;/tables/&lt;dataset&gt;                   one Delta table per persisted dataset
 * &lt;storage&gt;/_tributary/schemas/&lt;dataset&gt;       Auto Loader schema locations
 * &lt;storage&gt;/_tributary/state/&lt;job&gt;/CURRENT     the savepoint the job's next update restores
 * &lt;storage&gt;/_tributary/state/&lt;job&gt;/savepoints  the savepoints themselves
 * &lt;storage&gt;/_tributary/generations/&lt;dataset&gt;   the dataset's state generation (renewed by a full refresh)
 * &lt;storage&gt;/_tributary/updates/&lt;n&gt;.json       one record per update
 * &lt;storage&gt;/_tributary/events/&lt;n&gt;/          the event journal of update n, until folded
 * &lt;storage&gt;/_tributary/event_log             the event log, a Delta table
 * </pre>
 *
 * All access goes through Hadoop's {@link FileSystem}, so nothing assumes a local disk.
 */
public final class PipelineStorage {

  private final Path root;
  private final Configuration hadoopConf;

  private PipelineStorage(Path root, Configuration hadoopConf) {
    this.root = root;
    this.hadoopConf = hadoopConf;
  }

  /** The storage at {@code uri}: an absolute local path, or a URI such as {@code hdfs://nn/pipelines/orders}. */
  public static PipelineStorage at(String uri, Configuration hadoopConf) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      return new PipelineStorage(fs.makeQualified(path), hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the pipeline storage " + uri + ": " + e.getMessage(), e);
    }
  }

  public String root() {
    return root.toString();
  }

  public Configuration hadoopConf() {
    return hadoopConf;
  }

  /** Where the Delta table of {@code dataset} lives. */
  public String tablePath(String dataset) {
    return new Path(root, "tables/" + dataset).toString();
  }

  /** Where Auto Loader keeps the inferred schema of the source feeding {@code dataset}. */
  public String schemaLocation(String dataset) {
    return new Path(internal(), "schemas/" + dataset).toString();
  }

  /** Where the savepoints of the streaming job {@code job} are written. */
  public String savepointDir(String job) {
    return new Path(internal(), "state/" + job + "/savepoints").toString();
  }

  /** The savepoint the next update of {@code job} restores from, if an earlier update left one. */
  public Optional<String> currentSavepoint(String job) {
    return readText(currentPointer(job)).map(String::strip);
  }

  /** Points {@code job}'s next update at {@code savepoint}, atomically replacing the previous pointer. */
  public void setCurrentSavepoint(String job, String savepoint) {
    writeAtomically(currentPointer(job), savepoint + "\n");
  }

  /** Forgets {@code job}'s state: its next update starts from nothing. */
  public void clearState(String job) {
    delete(new Path(internal(), "state/" + job));
  }

  /** The state generation of {@code dataset}: part of its transaction ids and operator uids. */
  public String generation(String dataset) {
    Path file = new Path(internal(), "generations/" + dataset);
    return readText(file).map(String::strip).orElseGet(() -> {
      String generation = UUID.randomUUID().toString();
      writeAtomically(file, generation + "\n");
      return generation;
    });
  }

  /**
   * Clears {@code dataset} for a full refresh: its Delta table, its schema location and its state
   * generation (so its operators start with new uids and its commits with a new transaction id).
   */
  public void resetDataset(String dataset) {
    delete(new Path(tablePath(dataset)));
    delete(new Path(schemaLocation(dataset)));
    delete(new Path(internal(), "generations/" + dataset));
  }

  /** The folder of update records. */
  public String updatesDir() {
    return new Path(internal(), "updates").toString();
  }

  /** The folder of the event journal: one subfolder per update not yet folded into the event log table. */
  public String eventsDir() {
    return new Path(internal(), "events").toString();
  }

  /** Where the event log's Delta table lives. */
  public String eventLogPath() {
    return new Path(internal(), "event_log").toString();
  }

  /** Writes {@code text} to {@code path} so readers see the old or the new content, never a part. */
  public void writeAtomically(Path path, String text) {
    Path temp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      fs.mkdirs(path.getParent());
      try (FSDataOutputStream out = fs.create(temp, false)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      FileContext.getFileContext(path.toUri(), hadoopConf).rename(temp, path, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  public Optional<String> readText(Path path) {
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      if (!fs.exists(path)) {
        return Optional.empty();
      }
      try (FSDataInputStream in = fs.open(path)) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private Path currentPointer(String job) {
    return new Path(internal(), "state/" + job + "/CURRENT");
  }

  private Path internal() {
    return new Path(root, "_tributary");
  }

  private void delete(Path path) {
    try {
      path.getFileSystem(hadoopConf).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
