package io.tributary.runtime.delta.write;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelInternals;
import io.tributary.runtime.delta.KernelIterators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits data files to one Delta table with Kernel, idempotently: every commit carries the
 * transaction identifier ({@code appId}, {@code version}) and a commit whose version the table has
 * already seen for that app id is skipped, so replaying it after a restore is a no-op. An overwrite
 * removes every current file and adds the new ones in the same commit; the bucket rewrites of a keyed
 * table remove and add the files of the buckets they touch ({@link #commitChanges}); the Kernel actions
 * themselves are built by {@link CommitActions}, the transactions by {@link TableTransactions}, and
 * whether a keyed table's rewrite may commit after losing a race is {@link BucketConflicts}'s. No
 * Flink in here, so the commit protocol is testable on its own.
 */
public final class DeltaTableCommitter {

  static final String ENGINE_INFO = "Tributary";
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTableCommitter.class);

  private final Engine engine;
  private final DeltaWriteSpec spec;
  private final StructType schema;
  private final CommitActions commitActions;
  private final TableTransactions transactions;

  /** Runs between building an upsert transaction and committing it: tests make races with it. */
  private Runnable beforeChangeCommit = () -> {};

  /** Runs between building an append transaction and committing it: tests make races with it. */
  private Runnable beforeAppendCommit = () -> {};

  public DeltaTableCommitter(Engine engine, DeltaWriteSpec spec) {
    this.engine = engine;
    this.spec = spec;
    this.schema = DeltaTypes.toStructType(spec.rowType());
    this.commitActions = new CommitActions(engine, spec, schema);
    this.transactions = new TableTransactions(engine, spec, schema);
  }

  /** The last version committed for the spec's app id, or empty if none (or no table yet). */
  public OptionalLong latestTransactionVersion() {
    return transactions
        .latest()
        .flatMap(s -> s.getLatestTransactionVersion(engine, spec.appId()))
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /**
   * Creates the (empty) table unless it exists, so readers find its schema before any row; if it
   * exists with fewer columns than the spec writes ({@link SchemaEvolution}), commits the new schema
   * alone, before the job's first epoch, so its writers and readers see the columns from the start.
   */
  public void ensureTable() {
    Optional<Snapshot> existing = transactions.latest();
    if (existing.isPresent()) {
      Optional<StructType> evolved = transactions.checkSchema(existing.get());
      if (evolved.isPresent()) {
        commitSchema(evolved.get());
      }
    } else {
      try {
        Transaction txn =
            transactions.create(Table.forPath(engine, spec.tablePath())).build(engine);
        txn.commit(engine, CloseableIterable.emptyIterable());
      } catch (io.delta.kernel.exceptions.ConcurrentWriteException e) {
        // another writer created it first: fine, it has been checked below on the next commit
      }
    }
  }

  /**
   * Commits {@code files} as transaction {@code version} of the spec's app id: an append, or with
   * {@code overwrite} a replacement of the table's whole content.
   *
   * @return the table version written, or empty if the table already has this (or a later) version
   *     for the app id, or there was nothing to append
   */
  public OptionalLong commit(long version, List<DeltaDataFile> files, boolean overwrite) {
    if (version <= 0 || version == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "transaction version must be in (0, Long.MAX_VALUE): " + version);
    }
    Table table = Table.forPath(engine, spec.tablePath());
    Optional<Snapshot> snapshot = transactions.latest();
    if (snapshot.isPresent() && transactions.hasTransaction(snapshot.get(), version)) {
      return OptionalLong.empty();
    }
    Optional<StructType> evolved = snapshot.flatMap(transactions::checkSchema);
    if (files.isEmpty() && !overwrite && snapshot.isPresent() && evolved.isEmpty()) {
      return OptionalLong.empty();
    }
    TransactionBuilder builder = transactions.epoch(table, snapshot, version);
    if (overwrite) {
      // a concurrent append would be silently dropped by a retried overwrite: fail instead
      builder = builder.withMaxRetries(0);
    }
    Optional<Transaction> built = transactions.build(builder);
    if (built.isEmpty()) {
      return OptionalLong.empty();
    }
    Transaction txn = built.get();
    evolved.ifPresent(newSchema -> KernelInternals.replaceSchema(txn, newSchema));
    List<Row> actions = new ArrayList<>();
    if (overwrite && snapshot.isPresent()) {
      Snapshot read = table.getSnapshotAsOfVersion(engine, txn.getReadTableVersion());
      long now = System.currentTimeMillis();
      for (FilteredColumnarBatch batch :
          KernelIterators.drain(read.getScanBuilder().build().getScanFiles(engine))) {
        try (CloseableIterator<Row> rows = batch.getRows()) {
          rows.forEachRemaining(row -> actions.add(KernelInternals.removeAction(row, now)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    actions.addAll(commitActions.appendActions(txn, files));
    beforeAppendCommit.run();
    try {
      return OptionalLong.of(transactions.commit(txn, actions).getVersion());
    } catch (ConcurrentTransactionException e) {
      return OptionalLong.empty();
    } catch (io.delta.kernel.exceptions.ConcurrentWriteException
        | io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException e) {
      // an overwrite has no retries, and Kernel 4.4 reports its lost race as the latter
      throw new IllegalStateException(
          "Table '"
              + spec.tablePath()
              + "': commit of transaction "
              + spec.appId()
              + "/"
              + version
              + " conflicted with a concurrent commit",
          e);
    }
  }

  /** Test seam: {@code hook} runs just before an append's commit, to commit concurrently. */
  public void beforeAppendCommit(Runnable hook) {
    this.beforeAppendCommit = hook;
  }

  /** Test seam: {@code hook} runs just before each upsert commit attempt, to commit concurrently. */
  public void beforeChangeCommit(Runnable hook) {
    this.beforeChangeCommit = hook;
  }

  /** Attempts of an upsert commit that lost races to commits touching none of its files. */
  static final int MAX_CHANGE_ATTEMPTS = 10;

  /**
   * Commits the bucket rewrites of a keyed table as transaction {@code version}: removes {@code
   * removed} and adds {@code added} in one commit. Kernel's own retry only understands blind
   * appends, so this commit has none: when another commit wins the race, the files live after it are
   * compared with those this commit read; if a winning commit removed a file this commit removes, or
   * added a file in a bucket this commit rewrites, the rewrite is based on stale content and this
   * fails with {@link DeltaTableException}, otherwise it commits again on the new version.
   *
   * @return the table version written, or empty if the table already has this (or a later) version
   *     for the app id, or there was nothing to change
   */
  public OptionalLong commitChanges(
      long version, List<DeltaDataFile> removed, List<DeltaDataFile> added) {
    if (version <= 0 || version == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "transaction version must be in (0, Long.MAX_VALUE): " + version);
    }
    Table table = Table.forPath(engine, spec.tablePath());
    for (int attempt = 1; ; attempt++) {
      Optional<Snapshot> snapshot = transactions.latest();
      if (snapshot.isPresent()) {
        if (transactions.hasTransaction(snapshot.get(), version)) {
          return OptionalLong.empty();
        }
        BucketConflicts.checkBuckets(snapshot.get(), spec);
      }
      Optional<StructType> evolved = snapshot.flatMap(transactions::checkSchema);
      if (snapshot.isPresent()) {
        if (removed.isEmpty() && added.isEmpty() && evolved.isEmpty()) {
          return OptionalLong.empty();
        }
      }
      Optional<Transaction> built =
          transactions.build(transactions.epoch(table, snapshot, version).withMaxRetries(0));
      if (built.isEmpty()) {
        return OptionalLong.empty();
      }
      Transaction txn = built.get();
      evolved.ifPresent(newSchema -> KernelInternals.replaceSchema(txn, newSchema));
      Map<String, Row> live =
          snapshot.isEmpty()
              ? Map.of()
              : commitActions.liveFiles(
                  table.getSnapshotAsOfVersion(engine, txn.getReadTableVersion()));
      List<String> gone = new ArrayList<>();
      List<Row> actions = new ArrayList<>();
      long now = System.currentTimeMillis();
      for (DeltaDataFile file : removed) {
        Row scanFile = live.get(file.path());
        // a logical file is the path with its deletion vector: another vector means another change
        if (scanFile == null
            || !CommitActions.dvId(scanFile)
                .equals(DeltaDeletionVector.idOf(file.deletionVector()))) {
          gone.add(file.path());
        } else {
          actions.add(KernelInternals.removeAction(scanFile, now));
        }
      }
      if (!gone.isEmpty()) {
        throw DeltaTableException.concurrentRewrite(
            spec.tablePath(), spec.appId() + "/" + version, gone);
      }
      actions.addAll(
          commitActions.appendActions(
              txn, added.stream().filter(f -> f.deletionVector() == null).toList()));
      for (DeltaDataFile file : added) {
        if (file.deletionVector() != null) {
          actions.add(commitActions.addWithDeletionVector(file));
        }
      }
      beforeChangeCommit.run();
      try {
        return OptionalLong.of(transactions.commit(txn, actions).getVersion());
      } catch (ConcurrentTransactionException e) {
        return OptionalLong.empty();
      } catch (io.delta.kernel.exceptions.ConcurrentWriteException
          | io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException e) {
        // with no retries Kernel reports a lost race as the latter
        Map<String, Row> after =
            commitActions.liveFiles(
                Table.forPath(engine, spec.tablePath()).getLatestSnapshot(engine));
        List<String> conflicts = BucketConflicts.conflicts(live, after, removed, added);
        if (!conflicts.isEmpty()) {
          throw DeltaTableException.concurrentRewrite(
              spec.tablePath(), spec.appId() + "/" + version, conflicts);
        }
        if (attempt >= MAX_CHANGE_ATTEMPTS) {
          throw new IllegalStateException(
              "Table '"
                  + spec.tablePath()
                  + "': commit of transaction "
                  + spec.appId()
                  + "/"
                  + version
                  + " lost "
                  + attempt
                  + " races in a row",
              e);
        }
        LOG.info(
            "Table {}: transaction {}/{} lost a race to commits touching none of its buckets;"
                + " committing again",
            spec.tablePath(),
            spec.appId(),
            version);
      }
    }
  }

  /**
   * Commits a rewrite that changes no rows (a compaction): removes {@code removed} and adds {@code
   * added} in one commit whose actions all say {@code dataChange=false}, so streaming readers skip it.
   * It carries no transaction identifier (it is not an epoch of a flow) and has no Kernel retry, as
   * every commit that removes files: when another commit wins the race, this commits again on the new
   * version if every file it removes is still in the table and the schema is the one it read, and
   * otherwise fails with {@link DeltaTableException} (a concurrent commit rewrote or removed those
   * files, so the rewrite is stale). Nothing is committed then; {@code added} are left unreferenced.
   *
   * @param schemaRead the table schema the rewritten rows were read with
   * @param removed absolute paths of the rewritten files, as the table's scan names them
   * @return the table version written
   */
  public long commitRewrite(
      StructType schemaRead, List<String> removed, List<DeltaDataFile> added) {
    Table table = Table.forPath(engine, spec.tablePath());
    for (int attempt = 1; ; attempt++) {
      Transaction txn =
          table
              .createTransactionBuilder(engine, ENGINE_INFO, Operation.MANUAL_UPDATE)
              .withMaxRetries(0)
              .build(engine);
      Snapshot read = table.getSnapshotAsOfVersion(engine, txn.getReadTableVersion());
      if (!read.getSchema().equals(schemaRead)) {
        throw DeltaTableException.staleRewrite(
            spec.tablePath(), "its schema changed to " + read.getSchema());
      }
      Map<String, Row> live = commitActions.liveFiles(read);
      List<String> gone = removed.stream().filter(p -> !live.containsKey(p)).toList();
      if (!gone.isEmpty()) {
        throw DeltaTableException.staleRewrite(
            spec.tablePath(), "a concurrent commit removed " + gone);
      }
      long now = System.currentTimeMillis();
      List<Row> actions = new ArrayList<>();
      for (String file : removed) {
        actions.add(KernelInternals.removeAction(live.get(file), now, false));
      }
      commitActions
          .appendActions(txn, added)
          .forEach(add -> actions.add(KernelInternals.withoutDataChange(add)));
      beforeChangeCommit.run();
      try {
        return transactions.commit(txn, actions).getVersion();
      } catch (io.delta.kernel.exceptions.ConcurrentWriteException
          | io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException e) {
        if (attempt >= MAX_CHANGE_ATTEMPTS) {
          throw new IllegalStateException(
              "Table '" + spec.tablePath() + "': a rewrite lost " + attempt + " races in a row", e);
        }
        LOG.info(
            "Table {}: a rewrite lost a race; checking its files and committing again",
            spec.tablePath());
      }
    }
  }

  /**
   * Fails with {@link DeltaTableException} if the table exists with a bucket count other than the
   * spec's: a keyed table's rows are found by bucket, so the count cannot change in place.
   */
  public void checkBuckets() {
    transactions.latest().ifPresent(snapshot -> BucketConflicts.checkBuckets(snapshot, spec));
  }

  /**
   * Whether a keyed table's upserts use deletion vectors (merge-on-read): the spec's {@value
   * DeltaWriteSpec#DELETION_VECTORS_PROPERTY} if it sets it (the next commit writes it to the table),
   * else the table's, and for a table not created yet true. An existing table without the property
   * stays copy-on-write: turning deletion vectors on raises its reader version to 3, which readers such
   * as Delta Standalone cannot read, so it is never done silently.
   */
  public boolean usesDeletionVectors() {
    String explicit = spec.properties().get(DeltaWriteSpec.DELETION_VECTORS_PROPERTY);
    if (explicit != null) {
      return Boolean.parseBoolean(explicit.trim());
    }
    return transactions
        .latest()
        .map(
            s ->
                Boolean.parseBoolean(
                    s.getTableProperties()
                        .getOrDefault(DeltaWriteSpec.DELETION_VECTORS_PROPERTY, "false")))
        .orElse(spec.mode() == DeltaWriteSpec.WriteMode.UPSERT);
  }

  /** Commits {@code newSchema} as the table's schema, with no data: an ALTER TABLE ADD COLUMNS. */
  private void commitSchema(StructType newSchema) {
    Table table = Table.forPath(engine, spec.tablePath());
    Transaction txn =
        table
            .createTransactionBuilder(engine, ENGINE_INFO, Operation.MANUAL_UPDATE)
            .withMaxRetries(0)
            .build(engine);
    KernelInternals.replaceSchema(txn, newSchema);
    try {
      TransactionCommitResult result = txn.commit(engine, CloseableIterable.emptyIterable());
      transactions.checkpointIfDue(result);
      LOG.info("Table {}: added columns; schema is now {}", spec.tablePath(), newSchema);
    } catch (io.delta.kernel.exceptions.ConcurrentWriteException
        | io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException e) {
      // another writer changed the table first: the next commit checks the schema again
      LOG.info(
          "Table {}: adding columns lost a race; the next commit checks the schema again",
          spec.tablePath());
    }
  }
}
