package io.tributary.runtime.eventlog;

import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code flow_progress} events of a flow whose table's Delta committer logs one event per commit:
 * what each commit held (its table version, the rows it added less the rows it deleted) with the
 * expectation counts of the epochs it covers.
 *
 * <p>Two tasks meet here through storage, under {@code <events>/progress/<dataset>/<flow>/}: the
 * {@link FlowProgressOperator} writes each checkpoint's counts as {@code epochs/<checkpoint id>} while
 * it snapshots that checkpoint, so they are durable before the checkpoint can complete; the committer,
 * when the checkpoint completes, commits and then logs one event with the counts of every checkpoint
 * up to it, and deletes them. Its {@code committed} file (the app id and the last transaction version
 * logged) says a committer logs this flow, and, after a crash between a commit and its event, which
 * commit still needs its event. Event ids derive from (app id, transaction version): one per commit.
 */
public final class CommitProgress implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String EPOCHS = "epochs";
  private static final String COMMITTED = "committed";

  private final UpdateEvents events;
  private final String flow;
  private final String dataset;

  private transient Configuration conf;
  private transient EventJournal journal;

  /**
   * @param events where the flow's events go
   * @param flow the flow
   * @param dataset the dataset it writes
   */
  public CommitProgress(UpdateEvents events, String flow, String dataset) {
    this.events = Objects.requireNonNull(events, "events");
    this.flow = Objects.requireNonNull(flow, "flow");
    this.dataset = Objects.requireNonNull(dataset, "dataset");
  }

  /** The events of the commits of {@code dataset} by {@code job}'s flow into it. */
  public static CommitProgress of(PipelineStorage storage, JobContext job, String dataset) {
    return new CommitProgress(UpdateEvents.of(storage, job), job.flowName(dataset), dataset);
  }

  /** The last transaction logged for a lineage of commits (an app id). */
  public record Logged(String appId, long transactionVersion) {}

  /**
   * One data commit as the committer made it.
   *
   * @param latencyMillis the commit latency: from the trigger of the checkpoint that closed the
   *     commit's oldest epoch (its data was ready) to the Delta commit being durable; empty when not
   *     known (a commit found in the Delta log after a crash, an epoch restored from older state)
   */
  public record Commit(
      String appId,
      long transactionVersion,
      long tableVersion,
      long addedRows,
      long deletedRows,
      java.util.OptionalLong latencyMillis) {

    public Commit {
      Objects.requireNonNull(latencyMillis, "latencyMillis");
    }

    /** A commit whose latency is not known. */
    public Commit(
        String appId,
        long transactionVersion,
        long tableVersion,
        long addedRows,
        long deletedRows) {
      this(
          appId,
          transactionVersion,
          tableVersion,
          addedRows,
          deletedRows,
          java.util.OptionalLong.empty());
    }

    public long outputRows() {
      return addedRows - deletedRows;
    }
  }

  private Configuration conf() {
    if (conf == null) {
      conf = events.hadoop().toConfiguration();
    }
    return conf;
  }

  private EventJournal journal() {
    if (journal == null) {
      journal = events.journal(conf());
    }
    return journal;
  }

  private Path dir() {
    return new Path(new Path(new Path(new Path(events.eventsDir()), "progress"), dataset), flow);
  }

  /** Whether a committer logs this flow's commits (it wrote its {@code committed} file). */
  public boolean claimed() {
    Path marker = new Path(dir(), COMMITTED);
    try {
      return marker.getFileSystem(conf()).exists(marker);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + marker + ": " + e.getMessage(), e);
    }
  }

  /** What the {@code committed} file says, if there is one. */
  public Optional<Logged> logged() {
    Path marker = new Path(dir(), COMMITTED);
    try {
      FileSystem fs = marker.getFileSystem(conf());
      if (!fs.exists(marker)) {
        return Optional.empty();
      }
      String text;
      try (var in = fs.open(marker)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      int cut = text.lastIndexOf('\n');
      return Optional.of(
          new Logged(text.substring(0, cut), Long.parseLong(text.substring(cut + 1).trim())));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + marker + ": " + e.getMessage(), e);
    }
  }

  /** Records that every commit of {@code appId} up to {@code transactionVersion} has its event. */
  public void markLogged(String appId, long transactionVersion) {
    write(
        new Path(dir(), COMMITTED),
        (appId + "\n" + transactionVersion).getBytes(StandardCharsets.UTF_8));
  }

  /** Stores checkpoint {@code checkpointId}'s counts until the committer logs them. */
  public void writeEpoch(long checkpointId, FlowMetrics counts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(counts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(new Path(new Path(dir(), EPOCHS), Long.toString(checkpointId)), bytes.toByteArray());
  }

  /** The stored counts of checkpoints up to {@code checkpointId}, by checkpoint id. */
  public TreeMap<Long, FlowMetrics> epochsUpTo(long checkpointId) {
    TreeMap<Long, FlowMetrics> epochs = new TreeMap<>();
    Path folder = new Path(dir(), EPOCHS);
    try {
      FileSystem fs = folder.getFileSystem(conf());
      if (!fs.exists(folder)) {
        return epochs;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        if (!name.matches("\\d+") || Long.parseLong(name) > checkpointId) {
          continue;
        }
        byte[] bytes;
        try (var file = fs.open(status.getPath())) {
          bytes = file.readAllBytes();
        }
        try (var in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
          epochs.put(Long.parseLong(name), (FlowMetrics) in.readObject());
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
      return epochs;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the epochs of flow '" + flow + "' in " + folder + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the stored counts of the checkpoints in {@code checkpointIds}. */
  public void deleteEpochs(Iterable<Long> checkpointIds) {
    Path folder = new Path(dir(), EPOCHS);
    try {
      FileSystem fs = folder.getFileSystem(conf());
      for (long id : checkpointIds) {
        fs.delete(new Path(folder, Long.toString(id)), false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot delete epochs in " + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the counts of checkpoints after {@code checkpointId}: after a restore from it, their rows
   * are read again and counted again.
   */
  public void deleteEpochsAfter(long checkpointId) {
    Path folder = new Path(dir(), EPOCHS);
    try {
      FileSystem fs = folder.getFileSystem(conf());
      if (!fs.exists(folder)) {
        return;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        if (!name.matches("\\d+") || Long.parseLong(name) > checkpointId) {
          fs.delete(status.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clean epochs in " + folder + ": " + e.getMessage(), e);
    }
  }

  /** Logs the event of {@code commit} with {@code counts}' expectation counts (may be null). */
  public void logCommit(Commit commit, FlowMetrics counts) {
    journal()
        .append(
            events.updateNumber(),
            FlowProgressEvents.ofCommit(
                events.pipeline(),
                events.updateId(),
                flow,
                dataset,
                commit,
                counts == null ? null : counts.quality(),
                Instant.now()));
  }

  /** Logs the counts of checkpoint {@code checkpointId}, which committed no data (all rows dropped). */
  public void logWithoutCommit(long checkpointId, FlowMetrics counts) {
    logEpoch(Long.toString(checkpointId), new FlowMetrics(0, counts.quality()));
  }

  /**
   * Logs {@code counts} as the event of epoch {@code epoch} (a checkpoint id, or "end"): how a flow whose
   * committer does not log commits reports its progress.
   */
  public void logEpoch(String epoch, FlowMetrics counts) {
    journal()
        .append(
            events.updateNumber(),
            FlowProgressEvents.of(
                events.pipeline(), events.updateId(), flow, dataset, epoch, counts, Instant.now()));
  }

  /** The flow whose progress this logs. */
  public String flow() {
    return flow;
  }

  /** The update this flow's events belong to. */
  public String updateId() {
    return events.updateId();
  }

  private void write(Path target, byte[] bytes) {
    PipelineStorage.writeAtomically(target, bytes, conf());
  }
}
