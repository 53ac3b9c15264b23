package io.tributary.runtime.delta.write;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.runtime.delta.KernelIterators;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and commits the Kernel transactions of one table for {@link DeltaTableCommitter}: reads
 * the table's latest snapshot, starts an epoch's transaction (its identifier, the spec's table
 * properties the table lacks, or the creation of the table with the spec's schema, partitioning
 * and properties), says which schema a commit evolves the table to, and after each commit writes
 * the Delta checkpoint Kernel asks for. Whether to commit, and what to do when a commit loses a
 * race, is the committer's.
 *
 * @param schema the schema the spec writes, which a created table has
 */
record TableTransactions(Engine engine, DeltaWriteSpec spec, StructType schema) {

  private static final Logger LOG = LoggerFactory.getLogger(TableTransactions.class);

  /** The table's latest snapshot, or empty if there is no table yet. */
  Optional<Snapshot> latest() {
    try {
      return Optional.of(Table.forPath(engine, spec.tablePath()).getLatestSnapshot(engine));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code snapshot} has transaction {@code version}, or a later one, of the spec's app id. */
  boolean hasTransaction(Snapshot snapshot, long version) {
    Optional<Long> seen = snapshot.getLatestTransactionVersion(engine, spec.appId());
    return seen.isPresent() && seen.get() >= version;
  }

  /**
   * The builder of transaction {@code version} of the spec's app id: a write to the table read as
   * {@code snapshot}, setting the spec's table properties if the table lacks some, or, with no
   * snapshot, the creation of the table.
   */
  TransactionBuilder epoch(Table table, Optional<Snapshot> snapshot, long version) {
    TransactionBuilder builder =
        snapshot.isEmpty()
            ? create(table)
            : table.createTransactionBuilder(
                engine, DeltaTableCommitter.ENGINE_INFO, Operation.WRITE);
    builder = builder.withTransactionId(engine, spec.appId(), version);
    if (snapshot.isPresent()
        && !snapshot
            .get()
            .getTableProperties()
            .entrySet()
            .containsAll(tableProperties().entrySet())) {
      builder = builder.withTableProperties(engine, tableProperties());
    }
    return builder;
  }

  /** The transaction of {@code builder}, or empty if the table already has its transaction version. */
  Optional<Transaction> build(TransactionBuilder builder) {
    try {
      return Optional.of(builder.build(engine));
    } catch (ConcurrentTransactionException e) {
      return Optional.empty();
    }
  }

  /** The builder of the transaction that creates the table with the spec's schema and properties. */
  TransactionBuilder create(Table table) {
    Map<String, String> properties = new HashMap<>(tableProperties());
    if (spec.mode() == DeltaWriteSpec.WriteMode.UPSERT) {
      properties.putIfAbsent(DeltaWriteSpec.DELETION_VECTORS_PROPERTY, "true");
    }
    return table
        .createTransactionBuilder(engine, DeltaTableCommitter.ENGINE_INFO, Operation.CREATE_TABLE)
        .withSchema(engine, schema)
        .withPartitionColumns(engine, spec.partitionColumns())
        .withTableProperties(engine, properties);
  }

  /** The user's properties, and the comment under {@code comment} (Kernel 4.4 cannot set description). */
  Map<String, String> tableProperties() {
    Map<String, String> properties = new HashMap<>(spec.properties());
    spec.comment().ifPresent(c -> properties.put("comment", c));
    if (spec.mode() == DeltaWriteSpec.WriteMode.UPSERT) {
      properties.put(DeltaWriteSpec.BUCKETS_PROPERTY, Integer.toString(spec.buckets()));
    }
    return properties;
  }

  /** The schema to commit if the spec adds columns to the table's, empty if they agree; fails otherwise. */
  Optional<StructType> checkSchema(Snapshot snapshot) {
    return SchemaEvolution.evolved(spec.tablePath(), snapshot.getSchema(), schema);
  }

  /**
   * Commits {@code actions} in {@code txn} and writes the checkpoint if one is due; throws what
   * Kernel throws when the commit loses a race.
   */
  TransactionCommitResult commit(Transaction txn, List<Row> actions) {
    TransactionCommitResult result =
        txn.commit(
            engine, CloseableIterable.inMemoryIterable(KernelIterators.of(actions.iterator())));
    checkpointIfDue(result);
    return result;
  }

  /**
   * Writes the Delta checkpoint Kernel asks for (every {@code delta.checkpointInterval} commits,
   * 10 by default), so reading the table stays cheap however many epochs it has. The commit is
   * already durable: a failed checkpoint is only logged, and the next one covers it.
   */
  void checkpointIfDue(TransactionCommitResult result) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKPOINT) {
        try {
          hook.threadSafeInvoke(engine);
        } catch (IOException | RuntimeException e) {
          LOG.warn(
              "Table {}: checkpoint after version {} failed; the next one will cover it",
              spec.tablePath(),
              result.getVersion(),
              e);
        }
      }
    }
  }
}
