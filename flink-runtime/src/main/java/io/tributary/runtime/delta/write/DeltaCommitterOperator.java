package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.StaleStateException;
import io.tributary.runtime.delta.read.DeltaCommitRows;
import io.tributary.runtime.eventlog.CommitProgress;
import io.tributary.runtime.eventlog.FlowMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parallelism-1 half of the Delta sink: gathers the files of all writers and makes one Delta
 * commit per epoch (the span between two completed checkpoints).
 *
 * <p>Append mode: at each checkpoint the files received since the last one become epoch {@code
 * nextEpoch++}, kept in operator state; when the checkpoint completes, every pending epoch up to it
 * is committed as one transaction whose version is the highest of them, skipping epochs the table
 * already has for the app id. Epoch numbers come from state, or, in a job with no state, from the
 * table's last transaction version for the app id, so they increase strictly across jobs and never
 * depend on checkpoint ids. Pending epochs restored from a checkpoint are committed at once: their
 * checkpoint completed. Overwrite mode: the files of the whole job are kept and committed, with the
 * removal of every current file, when the input has ended, as the caller's version.
 *
 * <p>Without checkpoints (BATCH, or STREAMING without checkpointing) the commit happens at end of
 * input, as the epoch {@link DeltaSink} fixed when it built the job, so a restarted committer
 * commits nothing twice.
 *
 * <p>Upsert mode is append mode's epochs carrying bucket rewrites ({@link DeltaBucketChange}): an
 * epoch's commit removes the replaced files of every bucket the epoch touched and adds their new
 * files, with {@link DeltaTableCommitter#commitChanges}; {@link EpochBucketChanges} unites the
 * rewrites of one file within an epoch.
 *
 * <p>What it keeps in operator state, and the byte format of that state, is {@link CommitterEpochs}.
 */
final class DeltaCommitterOperator extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<byte[], Void>, BoundedOneInput {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DeltaCommitterOperator.class);
  private final DeltaWriteSpec spec;

  /** True when the job takes no checkpoints, so the commit happens at end of input. */
  private final boolean commitAtEndOfInput;

  /** Append mode without checkpoints: the epoch of that single commit, fixed when the job was built. */
  private final long endOfInputEpoch;

  /** Logs one flow_progress event per commit of a checkpointed append or upsert; null: none. */
  private final CommitProgress progress;

  /** What runs after each data commit of an append (auto compaction); null: nothing. */
  private final AfterCommit afterCommit;

  private transient DeltaTableCommitter committer;

  /** This run, which names the files it writes (deletion vectors united here), and when it started. */
  private transient WriterAttempt attempt;

  private transient long startedMillis;

  /** Whether the files of dead runs were deleted, once per run after its first completed commit. */
  private transient boolean deadRunsCleaned;

  private transient ListState<byte[]> state;

  /** The epochs and files this committer keeps in {@link #state}. */
  private transient CommitterEpochs epochs;

  /** Upsert mode: unites the bucket rewrites of an epoch. */
  private transient EpochBucketChanges bucketChanges;

  DeltaCommitterOperator(DeltaWriteSpec spec, boolean commitAtEndOfInput, long endOfInputEpoch) {
    this(spec, commitAtEndOfInput, endOfInputEpoch, null);
  }

  /**
   * @param progress the flow whose events this committer logs, one per commit (only for a checkpointed
   *     append or upsert; ignored otherwise), or null
   */
  DeltaCommitterOperator(
      DeltaWriteSpec spec,
      boolean commitAtEndOfInput,
      long endOfInputEpoch,
      CommitProgress progress) {
    this(spec, commitAtEndOfInput, endOfInputEpoch, progress, null);
  }

  /**
   * @param afterCommit told of each data commit of a checkpointed append (ignored otherwise), or null
   */
  DeltaCommitterOperator(
      DeltaWriteSpec spec,
      boolean commitAtEndOfInput,
      long endOfInputEpoch,
      CommitProgress progress,
      AfterCommit afterCommit) {
    this.afterCommit =
        afterCommit != null && !commitAtEndOfInput && spec.mode() == DeltaWriteSpec.WriteMode.APPEND
            ? afterCommit
            : null;
    this.spec = spec;
    this.commitAtEndOfInput = commitAtEndOfInput;
    this.endOfInputEpoch = endOfInputEpoch;
    this.progress =
        progress != null && !commitAtEndOfInput && spec.mode() != DeltaWriteSpec.WriteMode.OVERWRITE
            ? progress
            : null;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    SingleInstance.check(getRuntimeContext(), "The Delta committer of table " + spec.tablePath());
    committer = new DeltaTableCommitter(KernelEngine.create(spec.hadoopConf()), spec);
    attempt = WriterAttempt.of(spec.appId(), getRuntimeContext().getJobInfo().getJobId());
    startedMillis = System.currentTimeMillis();
    state =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "tributary-delta-committer",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    epochs = new CommitterEpochs();
    bucketChanges = new EpochBucketChanges(spec, attempt);
    boolean restored = false;
    for (byte[] bytes : state.get()) {
      epochs.restore(bytes);
      restored = true;
    }
    if (spec.mode() != DeltaWriteSpec.WriteMode.OVERWRITE) {
      committer.ensureTable();
      OptionalLong latest = committer.latestTransactionVersion();
      // epochs below nextEpoch are all this state's lineage ever made; the table having a later one
      // means the state was taken before that epoch's checkpoint: refuse rather than write rows
      // twice
      if (restored && latest.isPresent() && latest.getAsLong() >= epochs.nextEpoch) {
        throw new StaleStateException(
            spec.tablePath(), spec.appId(), latest.getAsLong(), epochs.nextEpoch - 1);
      }
      epochs.nextEpoch = Math.max(epochs.nextEpoch, latest.orElse(0) + 1);
      if (progress != null) {
        // counts of checkpoints after the restored one belong to rows that are read again
        progress.deleteEpochsAfter(
            !context.isRestored() ? -1 : context.getRestoredCheckpointId().orElse(Long.MAX_VALUE));
        logCommitsWithoutEvents(latest.orElse(0));
      }
    }
    if (afterCommit != null) {
      afterCommit.open();
    }
    commitPending(Long.MAX_VALUE);
  }

  @Override
  public void close() throws Exception {
    try {
      if (afterCommit != null) {
        afterCommit.close();
      }
    } finally {
      super.close();
    }
  }

  /**
   * Claims the flow's events, and logs the commits of this lineage made by an attempt that died
   * between a commit and its event: those after the last one logged, up to the table's last.
   */
  private void logCommitsWithoutEvents(long latest) {
    Optional<CommitProgress.Logged> logged = progress.logged();
    if (logged.isEmpty() || !logged.get().appId().equals(spec.appId())) {
      // a new lineage, or one whose commits were logged before the committer logged them
      progress.markLogged(spec.appId(), latest);
      return;
    }
    long from = logged.get().transactionVersion();
    if (from >= latest) {
      return;
    }
    Map<String, Long> known = new HashMap<>();
    long lastCheckpoint = -1;
    for (Map.Entry<Long, CommitterEpochs.Pending> epoch : epochs.pending.entrySet()) {
      for (DeltaDataFile file : epoch.getValue().removed()) {
        known.put(DeltaCommitRows.key(file), DeltaCommitRows.liveRows(file));
      }
      if (epoch.getKey() <= latest) {
        lastCheckpoint = Math.max(lastCheckpoint, epoch.getValue().checkpointId());
      }
    }
    for (DeltaCommitRows.Commit commit :
        DeltaCommitRows.read(spec.tablePath(), spec.hadoopConf(), known)) {
      if (commit.appId().equals(Optional.of(spec.appId()))
          && commit.transactionVersion() > from
          && commit.transactionVersion() <= latest) {
        TreeMap<Long, FlowMetrics> counts = progress.epochsUpTo(lastCheckpoint);
        progress.logCommit(
            new CommitProgress.Commit(
                spec.appId(),
                commit.transactionVersion(),
                commit.version(),
                commit.addedRows(),
                commit.deletedRows()),
            sum(counts));
        progress.deleteEpochs(counts.keySet());
        LOG.info(
            "Delta table {}: logged transaction {}/{} (table version {}), committed by an attempt that"
                + " ended before logging it",
            spec.tablePath(),
            spec.appId(),
            commit.transactionVersion(),
            commit.version());
      }
    }
    progress.markLogged(spec.appId(), latest);
  }

  private static FlowMetrics sum(Map<Long, FlowMetrics> counts) {
    return counts.values().stream().reduce(FlowMetrics::plus).orElse(null);
  }

  @Override
  public void processElement(StreamRecord<byte[]> element) {
    if (spec.mode() == DeltaWriteSpec.WriteMode.UPSERT) {
      bucketChanges.add(DeltaBucketChange.fromBytes(element.getValue()), epochs);
    } else {
      epochs.current.add(DeltaDataFile.fromBytes(element.getValue()));
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    long checkpointId = context.getCheckpointId();
    if (spec.mode() != DeltaWriteSpec.WriteMode.OVERWRITE) {
      if (!epochs.current.isEmpty() || !epochs.currentRemoved.isEmpty()) {
        // the checkpoint's trigger closed the epoch: its data was ready then (commit latency's
        // start)
        epochs.closeEpoch(epochs.nextEpoch++, checkpointId, context.getCheckpointTimestamp());
      }
    } else if (epochs.inputEnded && epochs.pending.isEmpty()) {
      epochs.pending.put(
          spec.overwriteVersion(),
          new CommitterEpochs.Pending(checkpointId, List.copyOf(epochs.current)));
    }
    state.update(List.of(epochs.toBytes()));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    commitPending(checkpointId);
    deleteFilesOfDeadRuns();
  }

  @Override
  public void endInput() {
    epochs.inputEnded = true;
    if (commitAtEndOfInput) {
      long version =
          spec.mode() != DeltaWriteSpec.WriteMode.OVERWRITE
              ? endOfInputEpoch
              : spec.overwriteVersion();
      epochs.closeEpoch(version, Long.MIN_VALUE);
      commitPending(Long.MIN_VALUE);
      deleteFilesOfDeadRuns();
    }
  }

  /**
   * Once per run, after its first completed checkpoint's commit (the epochs it restored were committed
   * when it started): deletes the data and deletion-vector files earlier runs of this lineage wrote and
   * no commit references, those of epochs killed before their commit. A failure only leaves them to
   * VACUUM.
   */
  private void deleteFilesOfDeadRuns() {
    if (deadRunsCleaned) {
      return;
    }
    deadRunsCleaned = true;
    Configuration conf = spec.hadoopConf();
    org.apache.hadoop.fs.Path root = DeltaPaths.qualified(spec.tablePath(), conf);
    Set<String> keep = new HashSet<>();
    List<DeltaDataFile> uncommitted = new ArrayList<>(epochs.current);
    epochs.pending.values().forEach(epoch -> uncommitted.addAll(epoch.files()));
    for (DeltaDataFile file : uncommitted) {
      keep.add(TableFileReferences.key(new org.apache.hadoop.fs.Path(file.path())));
      TableFileReferences.deletionVectorFile(file.deletionVector(), root)
          .ifPresent(dv -> keep.add(TableFileReferences.key(dv)));
    }
    try {
      long start = System.nanoTime();
      DeadAttemptFiles.Result result =
          DeadAttemptFiles.delete(spec.tablePath(), conf, attempt, startedMillis, keep);
      if (!result.deleted().isEmpty()) {
        LOG.info(
            "Delta table {}: deleted {} file(s) ({} bytes) that killed or failed runs wrote and no commit"
                + " references, in {} ms: {}",
            spec.tablePath(),
            result.deleted().size(),
            result.bytes(),
            (System.nanoTime() - start) / 1_000_000,
            result.deleted());
      } else {
        LOG.debug(
            "Delta table {}: no file of a dead run ({} ms)",
            spec.tablePath(),
            (System.nanoTime() - start) / 1_000_000);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Delta table {}: could not delete the files of dead runs; VACUUM will ({})",
          spec.tablePath(),
          e.toString());
    }
  }

  /**
   * Commits every pending epoch whose checkpoint is at or before {@code checkpointId}, as one commit.
   * Upsert epochs merged this way (a checkpoint failed in between) chain: a file one epoch adds and a
   * later one replaces is neither added nor removed, so the commit removes only files the table has.
   */
  private void commitPending(long checkpointId) {
    Map<String, DeltaDataFile> files = new LinkedHashMap<>();
    Map<String, DeltaDataFile> removed = new LinkedHashMap<>();
    long version = 0;
    long seen = -1;
    long closedMillis = Long.MAX_VALUE;
    Iterator<Map.Entry<Long, CommitterEpochs.Pending>> it = epochs.pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, CommitterEpochs.Pending> epoch = it.next();
      if (epoch.getValue().checkpointId() > checkpointId) {
        break;
      }
      if (seen < 0) {
        seen = committer.latestTransactionVersion().orElse(0);
      }
      if (epoch.getKey() > seen) {
        for (DeltaDataFile file : epoch.getValue().removed()) {
          if (files.remove(file.path()) == null) {
            removed.put(file.path(), file);
          }
        }
        for (DeltaDataFile file : epoch.getValue().files()) {
          files.put(file.path(), file);
        }
        version = epoch.getKey();
        closedMillis =
            Math.min(closedMillis, epochs.closedMillis.getOrDefault(version, Long.MAX_VALUE));
      }
      epochs.forget(epoch.getKey());
      it.remove();
    }
    if (version == 0 && progress != null && checkpointId != Long.MIN_VALUE) {
      // counts of checkpoints that committed nothing (every row dropped): logged on their own
      TreeMap<Long, FlowMetrics> counts = progress.epochsUpTo(checkpointId);
      counts.forEach(progress::logWithoutCommit);
      progress.deleteEpochs(counts.keySet());
    }
    if (version > 0) {
      OptionalLong tableVersion =
          spec.mode() == DeltaWriteSpec.WriteMode.UPSERT
              ? committer.commitChanges(
                  version, List.copyOf(removed.values()), List.copyOf(files.values()))
              : committer.commit(
                  version,
                  List.copyOf(files.values()),
                  spec.mode() == DeltaWriteSpec.WriteMode.OVERWRITE);
      OptionalLong latency =
          closedMillis == Long.MAX_VALUE
              ? OptionalLong.empty()
              : OptionalLong.of(Math.max(0, System.currentTimeMillis() - closedMillis));
      LOG.info(
          "Delta table {}: transaction {}/{} adding {} and removing {} files {}{}",
          spec.tablePath(),
          spec.appId(),
          version,
          files.size(),
          removed.size(),
          tableVersion.isPresent()
              ? "committed as table version " + tableVersion.getAsLong()
              : "was already committed",
          latency.isPresent() ? ", " + latency.getAsLong() + " ms after its epoch closed" : "");
      if (afterCommit != null && tableVersion.isPresent()) {
        afterCommit.committed(tableVersion.getAsLong(), List.copyOf(files.values()));
      }
      if (progress != null && tableVersion.isEmpty()) {
        // another attempt committed it meanwhile, and logged it with these counts
        progress.deleteEpochs(progress.epochsUpTo(checkpointId).keySet());
      } else if (progress != null) {
        long added = files.values().stream().mapToLong(DeltaCommitRows::liveRows).sum();
        long deleted = removed.values().stream().mapToLong(DeltaCommitRows::liveRows).sum();
        TreeMap<Long, FlowMetrics> counts = progress.epochsUpTo(checkpointId);
        progress.logCommit(
            new CommitProgress.Commit(
                spec.appId(), version, tableVersion.getAsLong(), added, deleted, latency),
            sum(counts));
        progress.markLogged(spec.appId(), version);
        progress.deleteEpochs(counts.keySet());
      }
    }
  }
}
