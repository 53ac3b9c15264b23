package io.tributary.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
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
 * All access goes through Hadoop's {@link FileSystem}, so nothing assumes a local disk. This class
 * names the paths; {@link StorageFiles} writes and reads its small files (pointers, records, markers)
 * atomically on each file system, and {@link Snapshots} finds and clears a job's checkpoints and
 * savepoints.
 */
public final class PipelineStorage {

  private final Path root;
  private final HadoopSettings settings;
  private final Configuration hadoopConf;
  private final Snapshots snapshots;

  private PipelineStorage(Path root, HadoopSettings settings) {
    this.root = root;
    this.settings = settings;
    this.hadoopConf = settings.toConfiguration();
    this.snapshots = new Snapshots(hadoopConf);
  }

  /**
   * The storage at {@code uri} (an absolute local path, or a URI such as
   * {@code hdfs://nn/pipelines/orders}), with the settings {@code hadoopConf} sets beyond this
   * process's defaults ({@link HadoopSettings#from}).
   */
  public static PipelineStorage at(String uri, Configuration hadoopConf) {
    return at(uri, HadoopSettings.from(hadoopConf));
  }

  /**
   * The storage at {@code uri} with the pipeline's Hadoop settings, which jobs carry to their
   * operators ({@link #settings()}). A relative local path resolves against the working directory.
   */
  public static PipelineStorage at(String uri, HadoopSettings settings) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(settings.toConfiguration());
      return new PipelineStorage(fs.makeQualified(path), settings);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the pipeline storage " + uri + ": " + e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw UnsupportedJavaException.explain(uri, e);
    }
  }

  public String root() {
    return root.toString();
  }

  /** The pipeline's Hadoop settings, to hand to every operator and enumerator that touches storage. */
  public HadoopSettings settings() {
    return settings;
  }

  public Configuration hadoopConf() {
    return hadoopConf;
  }

  /** Where the Delta table of {@code dataset} lives. */
  public String tablePath(String dataset) {
    return new Path(root, "tables/" + segment(dataset)).toString();
  }

  /** Where Auto Loader keeps the inferred schema of the source feeding {@code dataset}. */
  public String schemaLocation(String dataset) {
    return new Path(internal(), "schemas/" + segment(dataset)).toString();
  }

  /** Where the savepoints of the streaming job {@code job} are written. */
  public String savepointDir(String job) {
    return new Path(internal(), "state/" + segment(job) + "/savepoints").toString();
  }

  /** Where the running {@code job} keeps its retained checkpoints (kept when a job fails). */
  public String checkpointDir(String job) {
    return new Path(internal(), "state/" + segment(job) + "/checkpoints").toString();
  }

  /**
   * The state the next run of {@code job} restores: the newest completed snapshot of it, a checkpoint
   * a failed or killed run retained or a savepoint, else the savepoint the pointer names. Newest
   * wins because epochs up to it may be committed: a run that restored older state would read again
   * input the table already has. A savepoint can be newer than the pointer when the process died
   * between the savepoint (whose completion commits its epoch) and the pointer's move.
   */
  public Optional<String> stateToRestore(String job) {
    return snapshots
        .newest(new Path(checkpointDir(job)), new Path(savepointDir(job)))
        .or(() -> currentSavepoint(job));
  }

  /**
   * Drops {@code job}'s savepoints other than {@code current}, once the pointer names it: each update
   * ends with a savepoint, and only the newest is ever restored.
   */
  public void clearOlderSavepoints(String job, String current) {
    snapshots.clearAllBut(new Path(savepointDir(job)), current);
  }

  /** Drops {@code job}'s retained checkpoints once a newer savepoint holds its state. */
  public void clearRetainedCheckpoints(String job) {
    delete(new Path(checkpointDir(job)));
  }

  /** The savepoint the next update of {@code job} restores from, if an earlier update left one. */
  public Optional<String> currentSavepoint(String job) {
    return readText(currentPointer(job)).map(String::strip);
  }

  /** Points {@code job}'s next update at {@code savepoint}, atomically replacing the previous pointer. */
  public void setCurrentSavepoint(String job, String savepoint) {
    writeAtomically(currentPointer(job), savepoint + "\n");
  }

  /** The plan fingerprint saved with {@code job}'s current savepoint, if any. */
  public Optional<String> stateFingerprint(String job) {
    return readText(new Path(internal(), "state/" + segment(job) + "/PLAN"));
  }

  /** Saves the plan fingerprint of the state {@code job}'s current savepoint holds. */
  public void setStateFingerprint(String job, String fingerprint) {
    writeAtomically(new Path(internal(), "state/" + segment(job) + "/PLAN"), fingerprint);
  }

  /**
   * Which table and version of each input an incremental materialized table's {@code job} had read
   * when its state was last continued or started, as {@code engine/IncrementalRefresh} wrote it.
   */
  public Optional<String> readInputs(String job) {
    return readText(new Path(internal(), "state/" + job + "/INPUTS"));
  }

  /** Saves what {@link #readInputs} returns; dropped with the job's state ({@link #clearState}). */
  public void setReadInputs(String job, String inputs) {
    writeAtomically(new Path(internal(), "state/" + job + "/INPUTS"), inputs);
  }

  /** The streaming job whose state holds {@code dataset}'s positions and keys, if one has run. */
  public Optional<String> stateOwner(String dataset) {
    return readText(new Path(internal(), "owners/" + segment(dataset))).map(String::strip);
  }

  /** Records that {@code job}'s state holds {@code dataset}'s positions and keys. */
  public void setStateOwner(String dataset, String job) {
    writeAtomically(new Path(internal(), "owners/" + segment(dataset)), job + "\n");
  }

  /** Forgets {@code job}'s state: its next update starts from nothing. */
  public void clearState(String job) {
    delete(new Path(internal(), "state/" + segment(job)));
  }

  /** The state generation of {@code dataset}: part of its transaction ids and operator uids. */
  public String generation(String dataset) {
    Path file = new Path(internal(), "generations/" + segment(dataset));
    return readText(file)
        .map(String::strip)
        .orElseGet(
            () -> {
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
    delete(new Path(internal(), "generations/" + segment(dataset)));
    delete(new Path(internal(), "owners/" + segment(dataset)));
    // the companion table of quarantine() goes with its dataset
    delete(new Path(tablePath(dataset + "_quarantine")));
    delete(new Path(internal(), "generations/" + segment(dataset) + "_quarantine"));
  }

  /**
   * Deletes {@code dataset}'s Delta table only, keeping its generation: an incremental materialized
   * table starting over under the same operator uids.
   */
  public void clearTable(String dataset) {
    delete(new Path(tablePath(dataset)));
  }

  /** Asks the running update, from any process, to stop gracefully. */
  public void requestStop() {
    writeAtomically(stopRequest(), Instant.now() + "\n");
  }

  /** Whether a stop was requested since {@link #clearStopRequest()}. */
  public boolean stopRequested() {
    return readText(stopRequest()).isPresent();
  }

  /** Forgets a stop request: a new update starts with none. */
  public void clearStopRequest() {
    try {
      stopRequest().getFileSystem(hadoopConf).delete(stopRequest(), false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + stopRequest() + ": " + e.getMessage(), e);
    }
  }

  private Path stopRequest() {
    return new Path(internal(), "stop-request");
  }

  /** The folder of update records. */
  public String updatesDir() {
    return new Path(internal(), "updates").toString();
  }

  /**
   * Creates {@code path} with {@code text} unless it exists; returns whether this call created it.
   * Atomic on a local disk, on HDFS, and on S3 where the store honours conditional PUTs
   * ({@link StorageFiles#createIfAbsent} says how on each).
   */
  public boolean createIfAbsent(Path path, String text) {
    return StorageFiles.createIfAbsent(path, text, hadoopConf);
  }

  /** S3A's create-file option that makes its PUT conditional on the object's absence ({@code If-None-Match: *}). */
  public static final String S3A_CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";

  /**
   * A stream that creates {@code path} when it closes, failing if the path exists (on S3 a conditional
   * PUT, {@link StorageFiles#createNew}).
   */
  public static FSDataOutputStream createNew(FileSystem fs, Path path) throws IOException {
    return StorageFiles.createNew(fs, path);
  }

  /** The folder of the event journal: one subfolder per update not yet folded into the event log table. */
  /**
   * The record of a {@code once} flow's run: the generation of its target it ran for, and whether
   * it finished ({@code <generation> RUNNING} or {@code <generation> DONE}).
   */
  public Path onceRecord(String flow) {
    return new Path(internal(), "once/" + segment(flow));
  }

  public String eventsDir() {
    return new Path(internal(), "events").toString();
  }

  /** Where the event log's Delta table lives. */
  public String eventLogPath() {
    return new Path(internal(), "event_log").toString();
  }

  /**
   * Writes {@code text} to {@code path} so readers see the old or the new content, never a part, and
   * never no file ({@link StorageFiles#writeAtomically} says how on each file system).
   */
  public void writeAtomically(Path path, String text) {
    writeAtomically(path, text.getBytes(StandardCharsets.UTF_8), hadoopConf);
  }

  /** As {@link #writeAtomically(Path, String)}, for a writer that holds no storage (an operator on a task). */
  public static void writeAtomically(Path path, byte[] bytes, Configuration hadoopConf) {
    StorageFiles.writeAtomically(path, bytes, hadoopConf);
  }

  /** The whole of {@code path} as UTF-8 text, or empty if there is no such file. */
  public Optional<String> readText(Path path) {
    return StorageFiles.readText(path, hadoopConf);
  }

  /**
   * The streaming jobs that have a retained checkpoint (a run that failed or was killed, or one that is
   * running): an epoch pending in it may still commit files written long ago.
   */
  public List<String> jobsWithRetainedCheckpoints() {
    return snapshots.jobsWithCheckpoints(
        new Path(internal(), "state"), job -> new Path(checkpointDir(job)));
  }

  private Path currentPointer(String job) {
    return new Path(internal(), "state/" + segment(job) + "/CURRENT");
  }

  private Path internal() {
    return new Path(root, "_tributary");
  }

  /**
   * {@code name} (of a dataset, flow or job) as one folder name under the storage root. The plan's
   * validation already allows only identifiers; this is the storage's own guard, so a name that comes
   * another way (a public API, a bug) can never reach outside its folder: {@code ..}, a separator, a
   * drive or scheme ({@code :}), NUL or another control character is refused.
   */
  public static String segment(String name) {
    java.util.Objects.requireNonNull(name, "name");
    boolean unsafe =
        name.isEmpty()
            || name.equals(".")
            || name.equals("..")
            || name.length() > 255
            || name.chars()
                .anyMatch(c -> c == '/' || c == '\\' || c == ':' || Character.isISOControl(c));
    if (unsafe) {
      throw new IllegalArgumentException(
          "'"
              + name.replace("\0", "\\0")
              + "' cannot name a folder under the"
              + " pipeline's storage: names of datasets, flows and jobs are identifiers (letters, digits and underscores).");
    }
    return name;
  }

  private void delete(Path path) {
    StorageFiles.delete(path, hadoopConf);
  }
}
